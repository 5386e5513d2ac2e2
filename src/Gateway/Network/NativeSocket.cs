using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gateway.Esp;

namespace Gateway.Network;

/// <summary>An address and port as value types, read from a sockaddr without allocation.</summary>
public readonly record struct PacketEndpoint(InnerAddress Address, int Port)
{
    public IPEndPoint ToIPEndPoint() => new(Address.ToIPAddress(), Port);
}

/// <summary>
/// recvmsg/sendmsg with IP_PKTINFO / IPV6_PKTINFO (Linux, 64-bit). .NET's Socket can learn the local address of a
/// received datagram but cannot choose the source address of one it sends from a wildcard-bound socket; replies must
/// leave from the address the client used (NAT-D hashes and the client's own checks depend on it). Also allocation-free,
/// unlike ReceiveMessageFrom's EndPoint and IPPacketInformation objects.
/// </summary>
internal static unsafe partial class NativeSocket
{
    private const int AF_INET = 2;
    private const int AF_INET6 = 10;
    private const int IPPROTO_IP = 0;
    private const int IPPROTO_IPV6 = 41;
    private const int IP_PKTINFO = 8;
    private const int IPV6_PKTINFO = 50;
    private const int MSG_DONTWAIT = 0x40;
    private const int MSG_TRUNC = 0x20;
    private const short POLLIN = 0x1;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketCall(int domain, int type, int protocol);

    /// <summary>
    /// A raw socket for an IP protocol .NET's Socket constructor refuses (it only maps the ProtocolType values it
    /// knows; ESP, 50, is not one), wrapped so the rest is ordinary Socket configuration.
    /// </summary>
    public static Socket OpenRaw(AddressFamily family, int protocol)
    {
        const int SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
        int fd = SocketCall(family == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SocketException(errno == 1 ? (int)SocketError.AccessDenied : (int)SocketError.ProtocolNotSupported);
        }
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeout);

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for a datagram; false on timeout.</summary>
    public static bool WaitReadable(int fd, int timeoutMilliseconds)
    {
        var pfd = new PollFd { Fd = fd, Events = POLLIN };
        int ready = Poll(&pfd, 1, timeoutMilliseconds);
        return ready > 0;
    }

    /// <summary>
    /// Receives one datagram without blocking. Returns its length, 0 when none is waiting (or it was truncated, which
    /// is reported through <paramref name="truncated"/>), or −errno on error.
    /// </summary>
    public static int Receive(int fd, Span<byte> buffer, out PacketEndpoint remote, out InnerAddress local, out bool truncated)
    {
        remote = default;
        local = default;
        truncated = false;
        byte* name = stackalloc byte[128];
        byte* control = stackalloc byte[256];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var msg = new MsgHdr { Name = name, NameLength = 128, Iov = &iov, IovLength = 1, Control = control, ControlLength = 256 };
            nint n = RecvMsg(fd, &msg, MSG_DONTWAIT);
            if (n < 0)
                return -Marshal.GetLastPInvokeError();
            truncated = (msg.Flags & MSG_TRUNC) != 0;
            remote = ReadSockAddr(new ReadOnlySpan<byte>(name, (int)msg.NameLength));
            local = ReadLocal(new ReadOnlySpan<byte>(control, (int)msg.ControlLength));
            return (int)n;
        }
    }

    /// <summary>
    /// Sends one datagram to <paramref name="remote"/> from <paramref name="local"/> (any-address: the kernel picks).
    /// Never blocks: a full socket buffer is a drop. Returns false on any error.
    /// </summary>
    public static bool Send(int fd, ReadOnlySpan<byte> datagram, IPEndPoint remote, IPAddress local)
    {
        byte* name = stackalloc byte[28];
        byte* control = stackalloc byte[64];
        new Span<byte>(name, 28).Clear();
        new Span<byte>(control, 64).Clear();
        int nameLength = WriteSockAddr(remote, new Span<byte>(name, 28));
        if (nameLength == 0)
            return false;
        int controlLength = WritePacketInfo(local, remote.AddressFamily, new Span<byte>(control, 64));
        fixed (byte* data = datagram)
        {
            var iov = new IoVec { Base = data, Length = (nuint)datagram.Length };
            var msg = new MsgHdr
            {
                Name = name, NameLength = (uint)nameLength, Iov = &iov, IovLength = 1,
                Control = controlLength == 0 ? null : control, ControlLength = (nuint)controlLength,
            };
            while (true)
            {
                nint n = SendMsg(fd, &msg, MSG_DONTWAIT);
                if (n >= 0)
                    return n == datagram.Length;
                if (Marshal.GetLastPInvokeError() != EINTR)
                    return false;
            }
        }
    }

    private static PacketEndpoint ReadSockAddr(ReadOnlySpan<byte> sa)
    {
        if (sa.Length >= 16 && BinaryPrimitives.ReadUInt16LittleEndian(sa) == AF_INET)
            return new PacketEndpoint(InnerAddress.FromIPv4(sa[4..8]), BinaryPrimitives.ReadUInt16BigEndian(sa[2..]));
        if (sa.Length >= 24 && BinaryPrimitives.ReadUInt16LittleEndian(sa) == AF_INET6)
            return new PacketEndpoint(InnerAddress.FromIPv6(sa[8..24]), BinaryPrimitives.ReadUInt16BigEndian(sa[2..]));
        return default;
    }

    private static int WriteSockAddr(IPEndPoint remote, Span<byte> sa)
    {
        if (remote.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sa, AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(sa[2..], (ushort)remote.Port);
            return remote.Address.TryWriteBytes(sa[4..8], out _) ? 16 : 0;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(sa, AF_INET6);
        BinaryPrimitives.WriteUInt16BigEndian(sa[2..], (ushort)remote.Port);
        BinaryPrimitives.WriteUInt32LittleEndian(sa[24..], (uint)remote.Address.ScopeId);
        return remote.Address.TryWriteBytes(sa[8..24], out _) ? 28 : 0;
    }

    // struct cmsghdr { size_t len; int level; int type; } then data aligned to 8.
    private static InnerAddress ReadLocal(ReadOnlySpan<byte> control)
    {
        int offset = 0;
        while (offset + 16 <= control.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(control[offset..]);
            int level = BinaryPrimitives.ReadInt32LittleEndian(control[(offset + 8)..]);
            int type = BinaryPrimitives.ReadInt32LittleEndian(control[(offset + 12)..]);
            if (length < 16 || offset + length > control.Length)
                break;
            ReadOnlySpan<byte> data = control.Slice(offset + 16, length - 16);
            // in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }: addr is the header's destination.
            if (level == IPPROTO_IP && type == IP_PKTINFO && data.Length >= 12)
                return InnerAddress.FromIPv4(data[8..12]);
            // in6_pktinfo { in6_addr addr; unsigned ifindex; }
            if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && data.Length >= 20)
                return InnerAddress.FromIPv6(data[..16]);
            offset += (length + 7) & ~7;
        }
        return default;
    }

    private static int WritePacketInfo(IPAddress local, AddressFamily family, Span<byte> control)
    {
        if (local.AddressFamily != family || local.Equals(IPAddress.Any) || local.Equals(IPAddress.IPv6Any))
            return 0;
        if (family == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(control, 16 + 12);
            BinaryPrimitives.WriteInt32LittleEndian(control[8..], IPPROTO_IP);
            BinaryPrimitives.WriteInt32LittleEndian(control[12..], IP_PKTINFO);
            local.TryWriteBytes(control[20..24], out _); // ipi_spec_dst: the source address to use
            return 32;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(control, 16 + 20);
        BinaryPrimitives.WriteInt32LittleEndian(control[8..], IPPROTO_IPV6);
        BinaryPrimitives.WriteInt32LittleEndian(control[12..], IPV6_PKTINFO);
        local.TryWriteBytes(control[16..32], out _);
        return 40;
    }
}
