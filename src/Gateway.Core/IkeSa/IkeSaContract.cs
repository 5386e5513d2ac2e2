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
public sealed record IkeSaEstablished(string PeerIdentity, IReadOnlyList<IPAddress> VirtualAddresses, IPEndPoint Remote) : IkeSaEvent;

/// <summary>A child SA is ready: install it in the data plane.</summary>
public sealed record ChildSaEstablished(ChildSaInstallation Sa) : IkeSaEvent;

/// <summary>A child SA is gone (deleted by either side): remove it from the data plane.</summary>
public sealed record ChildSaDeleted(uint InboundSpi) : IkeSaEvent;

/// <summary>The IKE SA is gone (deleted, failed authentication, timed out); <see cref="IkeSaStep.Terminated"/> is set too.</summary>
public sealed record IkeSaClosed(string Reason) : IkeSaEvent;

/// <summary>Services shared by all IKE SAs of a node, injected so the machine stays pure and testable.</summary>
public interface IResponderServices
{
    /// <summary>Fills a buffer with cryptographically random bytes (nonces, SPIs, challenges).</summary>
    void Random(Span<byte> buffer);

    /// <summary>A fresh inbound ESP SPI, unique on this node, never 0..255 (RFC 4303 reserves them).</summary>
    uint AllocateEspSpi();

    /// <summary>Releases an inbound ESP SPI after its SA is removed.</summary>
    void ReleaseEspSpi(uint spi);

    /// <summary>Virtual addresses for an identity: the same ones again when it reconnects (sticky).</summary>
    IReadOnlyList<IPAddress> LeaseAddresses(string identity, bool wantIpv4, bool wantIpv6);

    /// <summary>Gives an identity's addresses back to the pool (they stay reserved for it as long as the pool has room).</summary>
    void ReleaseAddresses(string identity);
}
