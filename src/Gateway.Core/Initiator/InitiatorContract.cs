using System.Net;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// One IKE message for the I/O shell to send. <paramref name="NonEspMarker"/>: prefix the 4 zero bytes of UDP 4500
/// (RFC 3948 §2.2); the machine decides it because it decides when to move to port 4500.
/// </summary>
public sealed record InitiatorDatagram(byte[] Message, IPEndPoint To, bool NonEspMarker);

/// <summary>
/// What one input did: datagrams to send, events to report, and when <see cref="IkeInitiator.Tick"/> must be called
/// next (null: nothing outstanding). The machine reads no clock; the shell passes the time in.
/// </summary>
public sealed record InitiatorStep(IReadOnlyList<InitiatorDatagram> Send, IReadOnlyList<InitiatorEvent> Events, DateTime? Deadline)
{
    public static readonly InitiatorStep Nothing = new([], [], null);
}

/// <summary>Why a tunnel did not come up — the buckets the load tester reports by.</summary>
public enum InitiatorFailure
{
    Timeout,
    NoProposalChosen,
    AuthenticationFailed,
    /// <summary>The gateway's AUTH, certificate or identity did not check out (we refused it).</summary>
    GatewayNotTrusted,
    InvalidKeLoop,
    CookieLoop,
    RedirectLoop,
    TsUnacceptable,
    InternalAddressFailure,
    /// <summary>Another error notify (the detail names it).</summary>
    ErrorNotify,
    /// <summary>An answer that does not follow the protocol (missing payloads, bad KE, …).</summary>
    Protocol,
    /// <summary>The gateway deleted the IKE SA before the handshake finished.</summary>
    DeletedByGateway,
}

public abstract record InitiatorEvent;

/// <summary>The SA is up with its first child. <paramref name="Elapsed"/>: from the first IKE_SA_INIT to now.</summary>
public sealed record TunnelEstablished(TimeSpan Elapsed, IReadOnlyList<IPAddress> VirtualAddresses, EstablishedChildSa Child,
    string IkeProposal, int RoundTrips) : InitiatorEvent;

public sealed record TunnelFailed(InitiatorFailure Reason, string Detail) : InitiatorEvent;

/// <summary>Handled like a real client; reported so a run shows how often the gateway asked for it.</summary>
public sealed record CookieRequested : InitiatorEvent;

public sealed record KeGroupRequested(KeyExchangeGroup Group) : InitiatorEvent;

/// <summary>The gateway redirected us (RFC 5685); we followed once to <paramref name="To"/>.</summary>
public sealed record RedirectFollowed(IPEndPoint To) : InitiatorEvent;

/// <summary>The IKE SA ended: our Delete was answered (or timed out), or the gateway deleted it.</summary>
public sealed record TunnelClosed(bool ByGateway) : InitiatorEvent;

/// <summary>A request of the gateway on an established SA (liveness, Delete of a child, …) that we answered.</summary>
public sealed record GatewayRequestAnswered(ExchangeType Exchange) : InitiatorEvent;

/// <summary>
/// The first child SA, enough for the shell to run ESP over it. Keys are never printed (see <see cref="ToString"/>).
/// <paramref name="InboundSpi"/> is ours (the gateway sends with it), <paramref name="OutboundSpi"/> the gateway's.
/// </summary>
public sealed record EstablishedChildSa(uint InboundSpi, uint OutboundSpi, EncryptionAlgorithm Encryption, int KeyBits,
    IntegrityAlgorithm Integrity, ChildSaKeys Keys, bool UdpEncapsulated, IReadOnlyList<TrafficSelector> RemoteSelectors)
{
    public override string ToString() => $"child {InboundSpi:x8}/{OutboundSpi:x8} {Encryption}-{KeyBits} {Integrity} (keys redacted)";
}

public enum InitiatorPhase { Idle, SaInit, Auth, Established, Deleting, Closed, Failed }
