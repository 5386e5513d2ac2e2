using System.Net;

namespace Gateway.Core.IkeSa;

// Contract additions for MOBIKE (RFC 4555), liveness/dormancy and our own requests. Kept in their own file so the
// branches that extend IkeSaContract.cs (rekeying) merge without conflicts.

/// <summary>
/// The data plane saw authenticated traffic from the peer (the newest "last inbound ESP" time of its child SAs).
/// The actor feeds it whenever it reads child SA counters, at least once per liveness interval and best right before
/// it delivers the <see cref="ResponderOptions.LivenessTimerKey"/> timer: a peer that sends ESP is not probed.
/// </summary>
public sealed record PeerActivity(DateTime LastInboundUtc, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>
/// The IKE SA's peer endpoint moved (MOBIKE UPDATE_SA_ADDRESSES, or a NAT mapping change of a non-MOBIKE peer behind
/// NAT). IKE messages now go from <paramref name="Local"/> to <paramref name="Remote"/>. Traffic of the child SAs moves
/// with <see cref="ChildSaMoved"/> (possibly later, after a return-routability check).
/// </summary>
public sealed record PeerAddressChanged(IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated) : IkeSaEvent;

/// <summary>Move one child SA's traffic: the actor calls <c>IDataPlane.UpdatePeer</c> with exactly these values. SPIs and keys stay.</summary>
public sealed record ChildSaMoved(uint InboundSpi, IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated) : IkeSaEvent;

/// <summary>An UPDATE_SA_ADDRESSES was refused (answered with the notify named in <paramref name="Reason"/>); nothing moved.</summary>
public sealed record PeerAddressChangeRefused(IPEndPoint Remote, string Reason) : IkeSaEvent;

/// <summary>Whether the peer answers (RFC 7296 §2.4 liveness) — the seed's connected → dormant → waiting to reconnect → connected.</summary>
public enum LivenessState
{
    /// <summary>The peer answers (or sent something authenticated recently).</summary>
    Connected,

    /// <summary>Our request went unanswered through all retransmissions; SAs are kept for the grace period.</summary>
    Dormant,

    /// <summary>A dormant peer showed signs of life (an authenticated message, ESP); our request is being resent to it.</summary>
    WaitingToReconnect,
}

/// <summary>The liveness state changed (log and count it). At the end of the grace period the SA closes with <see cref="IkeSaClosed"/>.</summary>
public sealed record LivenessStateChanged(LivenessState State, string Reason) : IkeSaEvent;
