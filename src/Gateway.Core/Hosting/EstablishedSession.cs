using System.Net;

namespace Gateway.Core.Hosting;

/// <summary>
/// What an operator sees of one established session on this node (<see cref="IGatewaySessions.ListEstablished"/>).
/// </summary>
/// <param name="SessionId">The session id (<see cref="Routing.SpiShardMap.SessionOf"/>): stays across IKE SA rekeys.</param>
/// <param name="Identity">The authenticated peer identity (IDi, or the EAP identity).</param>
/// <param name="Remote">The peer's current outer address and port (follows MOBIKE moves).</param>
/// <param name="VirtualAddresses">The addresses leased to it from the pools.</param>
/// <param name="PeerSupportsRedirect">It sent REDIRECT_SUPPORTED: an operator redirect can move it (RFC 5685 §5).</param>
/// <param name="EstablishedUtc">When its IKE SA was established (or restored) on this node.</param>
public sealed record EstablishedSession(
    ulong SessionId,
    string Identity,
    IPEndPoint Remote,
    IReadOnlyList<IPAddress> VirtualAddresses,
    bool PeerSupportsRedirect,
    DateTime EstablishedUtc);
