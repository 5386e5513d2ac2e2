using System.Runtime.Versioning;

// Linux only: TUN device, IP_PKTINFO via recvmsg/sendmsg, /proc/sys forwarding, owner-only key files.
[assembly: SupportedOSPlatform("linux")]
