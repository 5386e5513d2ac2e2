using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.Transport;

namespace Gateway.Core.IkeSa;

// The contract between the pure IKE SA state machine and the thin actor around it (DESIGN.md: "(state, input) →
// (state', events, packets out, timers)"). The actor feeds inputs, sends the datagrams, schedules the timers and
// turns events into child SA actors and data-plane calls. The machine never does I/O and never reads a clock.

/// <summary>An input to one IKE SA.</summary>
public abstract record IkeSaInput(DateTime NowUtc);

/// <summary>An IKE message for this SA arrived (already routed here by its SPIs).</summary>
public sealed record MessageReceived(IkeDatagram Datagram, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>A timer the machine asked for has fired. Stale timers (superseded keys) are ignored by the machine.</summary>
public sealed record TimerFired(string Key, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>An operator or the system asks to close this IKE SA (the peer is told).</summary>
public sealed record CloseRequested(string Reason, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>
/// The data plane's byte count of a child SA pair (inbound + outbound, since it was installed), fed periodically by the
/// actor from <see cref="IDataPlane.ReadCounters"/>: crossing the soft byte lifetime starts a rekey, the hard one deletes.
/// </summary>
public sealed record ChildSaTraffic(uint InboundSpi, long Bytes, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>The result of one input.</summary>
public sealed record IkeSaStep(
    IReadOnlyList<IkeDatagram> Send,
    IReadOnlyList<IkeSaEvent> Events,
    IReadOnlyList<TimerRequest> Timers,
    bool Terminated)
{
    public static readonly IkeSaStep Nothing = new([], [], [], false);
}

/// <summary>Start (or restart) timer <paramref name="Key"/> to fire after <paramref name="After"/>; <c>null</c> cancels it.</summary>
public sealed record TimerRequest(string Key, TimeSpan? After);

/// <summary>Something that happened to the IKE SA that others act on.</summary>
public abstract record IkeSaEvent;

/// <summary>IKE_AUTH completed: the peer is authenticated as <paramref name="PeerIdentity"/> and holds these virtual addresses.</summary>
public sealed record IkeSaEstablished(string PeerIdentity, IReadOnlyList<IPAddress> VirtualAddresses, IPEndPoint Remote) : IkeSaEvent
{
    /// <summary>The peer sent REDIRECT_SUPPORTED (RFC 5685), so an operator may redirect it (listed for operators).</summary>
    public bool PeerSupportsRedirect { get; init; }
}

/// <summary>A child SA is ready: install it in the data plane.</summary>
public sealed record ChildSaEstablished(ChildSaInstallation Sa) : IkeSaEvent;

/// <summary>A child SA is gone (deleted by either side): remove it from the data plane.</summary>
public sealed record ChildSaDeleted(uint InboundSpi) : IkeSaEvent;

/// <summary>
/// A child SA was rekeyed (make-before-break): install <paramref name="NewSa"/> now (outbound moves to it, since the
/// data plane routes the inner addresses to the newest SA) but keep the old pair (<paramref name="OldInboundSpi"/>)
/// installed: its inbound still receives until a later <see cref="ChildSaDeleted"/> for it, which comes when the
/// peer deletes it (or we do, after our own rekey, once the peer confirmed).
/// </summary>
public sealed record ChildSaRekeyed(uint OldInboundSpi, ChildSaInstallation NewSa) : IkeSaEvent;

/// <summary>
/// The IKE SA was rekeyed (RFC 7296 §2.18) and the new one is now current: route <see cref="LocalSpi"/> to this
/// entity too. The old SPIs stay routed until <see cref="IkeSaSpiRetired"/> names them. The initiator of the rekey
/// becomes the original initiator of the new SA, so after a rekey we started our SPI is the initiator SPI.
/// </summary>
public sealed record IkeSaRekeyed(ulong NewInitiatorSpi, ulong NewResponderSpi, bool LocalIsOriginalInitiator) : IkeSaEvent
{
    /// <summary>Our SPI of the new IKE SA: the one the ingress routes by.</summary>
    public ulong LocalSpi => LocalIsOriginalInitiator ? NewInitiatorSpi : NewResponderSpi;
}

/// <summary>
/// An extra IKE SA exists for a short while (the redundant SA of a simultaneous IKE SA rekey, RFC 7296 §2.8.2, kept
/// until it is deleted): route <paramref name="LocalSpi"/> to this entity until <see cref="IkeSaSpiRetired"/>.
/// </summary>
public sealed record IkeSaSpiAdded(ulong LocalSpi) : IkeSaEvent;

/// <summary>An IKE SA replaced by a rekey (or a redundant one) is gone: stop routing <paramref name="LocalSpi"/> here.</summary>
public sealed record IkeSaSpiRetired(ulong LocalSpi) : IkeSaEvent;

/// <summary>The IKE SA is gone (deleted, failed authentication, timed out); <see cref="IkeSaStep.Terminated"/> is set too.</summary>
public sealed record IkeSaClosed(string Reason) : IkeSaEvent;

/// <summary>Services shared by all IKE SAs of a node, injected so the machine stays pure and testable.</summary>
public interface IResponderServices
{
    /// <summary>Fills a buffer with cryptographically random bytes (nonces, SPIs, challenges).</summary>
    void Random(Span<byte> buffer);

    /// <summary>A fresh inbound ESP SPI, unique on this node, never 0..255 (RFC 4303 reserves them).</summary>
    uint AllocateEspSpi();

    /// <summary>
    /// A fresh inbound ESP SPI as <see cref="AllocateEspSpi()"/>, in range <paramref name="index"/> of
    /// <paramref name="classes"/> equal ranges of the SPI space (cluster services: the session's shard, see
    /// <see cref="Routing.SpiShardMap.EspSpiClass"/>); unique among the node's SPIs like the other overload.
    /// </summary>
    uint AllocateEspSpi(uint classes, uint index);

    /// <summary>Releases an inbound ESP SPI after its SA is removed.</summary>
    void ReleaseEspSpi(uint spi);

    /// <summary>Virtual addresses for an identity: the same ones again when it reconnects (sticky).</summary>
    IReadOnlyList<IPAddress> LeaseAddresses(string identity, bool wantIpv4, bool wantIpv6);

    /// <summary>
    /// A fresh IKE SPI of ours for an IKE SA created by rekeying (non-zero; the ingress routes by it). The default
    /// draws it from <see cref="Random"/>; cluster services pick one whose shard is this entity's.
    /// </summary>
    ulong AllocateIkeSpi()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong spi = 0;
        while (spi == 0)
        {
            Random(bytes);
            spi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }
        return spi;
    }

    /// <summary>
    /// An inbound ESP SPI in use by an IKE SA restored on this node (issue 5): no new SA may draw it. The default
    /// (services without an SPI table) does nothing.
    /// </summary>
    void ReclaimEspSpi(uint spi)
    {
    }

    /// <summary>
    /// Virtual addresses held by an identity's IKE SA restored on this node (issue 5): leased to it again, never handed
    /// to another client. The default (services without a pool) does nothing.
    /// </summary>
    void ReclaimAddresses(string identity, IReadOnlyList<IPAddress> addresses)
    {
    }

    /// <summary>Gives an SA's addresses back to the pool (they stay reserved for the identity as long as the pool has room).</summary>
    void ReleaseAddresses(string identity, IReadOnlyList<IPAddress> addresses);
}
