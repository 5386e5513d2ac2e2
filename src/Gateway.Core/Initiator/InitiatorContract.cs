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
/// We answered a gateway's RFC 6311 sync request: our next request ID and the one we expect from now on, and the
/// replay counter delta it asked for (null: none) — by which the outbound ESP counters of every child SA must move
/// before anything else is sent on them.
/// </summary>
public sealed record SyncRequestAnswered(uint NextRequestId, uint ExpectedRequestId, ulong? ReplayDelta) : InitiatorEvent;

/// <summary>Which exchange of ours on an established SA (for <see cref="ExchangeDone"/> and <see cref="ExchangeFailed"/>).</summary>
public enum InitiatorExchange { ChildRekey, IkeRekey, AddressUpdate, ChildDelete }

/// <summary>Our exchange on an established SA got its answer; <paramref name="Elapsed"/>: from the request to the answer.</summary>
public sealed record ExchangeDone(InitiatorExchange Exchange, TimeSpan Elapsed) : InitiatorEvent;

/// <summary>
/// Our exchange on an established SA failed: an error notify (the SA stays) or no answer at all (<paramref name="SaLost"/>:
/// the IKE SA is given up, RFC 7296 §2.4, and the machine is Closed).
/// </summary>
public sealed record ExchangeFailed(InitiatorExchange Exchange, string Detail, bool SaLost) : InitiatorEvent;

/// <summary>
/// A child SA replaced by a rekey (ours or the gateway's): the shell installs <paramref name="New"/> for both directions
/// at once and keeps <paramref name="Old"/>'s inbound half until <see cref="ChildSaRetired"/>.
/// </summary>
public sealed record ChildSaReplaced(EstablishedChildSa Old, EstablishedChildSa New, bool ByGateway) : InitiatorEvent;

/// <summary>The old child of a rekey is deleted on both sides: its inbound SA can go.</summary>
public sealed record ChildSaRetired(uint InboundSpi) : InitiatorEvent;

/// <summary>
/// The IKE SA was replaced by a rekey; our SPI (the one the gateway's messages carry for us) is now
/// <paramref name="NewLocalSpi"/>. The old SA stays readable until <see cref="IkeSaRetired"/> (its Delete and answer).
/// </summary>
public sealed record IkeSaReplaced(ulong OldLocalSpi, ulong NewLocalSpi, bool ByGateway) : InitiatorEvent;

/// <summary>The IKE SA a rekey replaced is gone on both sides (or given up): stop routing <paramref name="LocalSpi"/> here.</summary>
public sealed record IkeSaRetired(ulong LocalSpi) : InitiatorEvent;

/// <summary>
/// A child SA, enough for the shell to run ESP over it. Keys are never printed (see <see cref="ToString"/>).
/// <paramref name="InboundSpi"/> is ours (the gateway sends with it), <paramref name="OutboundSpi"/> the gateway's.
/// <paramref name="WeInitiated"/>: whether we started the exchange that made it; its keys are "initiator → responder"
/// first from that exchange's initiator (RFC 7296 §2.17), so it decides which half is ours to send with.
/// </summary>
public sealed record EstablishedChildSa(uint InboundSpi, uint OutboundSpi, EncryptionAlgorithm Encryption, int KeyBits,
    IntegrityAlgorithm Integrity, ChildSaKeys Keys, bool UdpEncapsulated, IReadOnlyList<TrafficSelector> RemoteSelectors,
    bool WeInitiated = true, bool ExtendedSequenceNumbers = false)
{
    public byte[] OutboundEncryptionKey => WeInitiated ? Keys.EncryptionInitiatorToResponder : Keys.EncryptionResponderToInitiator;
    public byte[] OutboundIntegrityKey => WeInitiated ? Keys.IntegrityInitiatorToResponder : Keys.IntegrityResponderToInitiator;
    public byte[] InboundEncryptionKey => WeInitiated ? Keys.EncryptionResponderToInitiator : Keys.EncryptionInitiatorToResponder;
    public byte[] InboundIntegrityKey => WeInitiated ? Keys.IntegrityResponderToInitiator : Keys.IntegrityInitiatorToResponder;

    public override string ToString() => $"child {InboundSpi:x8}/{OutboundSpi:x8} {Encryption}-{KeyBits} {Integrity} (keys redacted)";
}

public enum InitiatorPhase { Idle, SaInit, Auth, Established, Deleting, Closed, Failed }
