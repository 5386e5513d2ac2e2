using System.Net;

namespace Gateway.Esp;

/// <summary>
/// Where an SA's ESP packets go: the peer's current outer address and whether ESP travels in UDP 4500 (RFC 3948) or as
/// raw IP protocol 50. Immutable, so a MOBIKE update (RFC 4555) swaps both at once and a sender never sees the new
/// address with the old encapsulation.
/// </summary>
public sealed record PeerPath(IPEndPoint Remote, bool UdpEncapsulated);
