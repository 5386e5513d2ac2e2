using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// A request we start on the current IKE SA (we are the initiator of the exchange). The payloads are fixed when it is
/// queued; the message is sealed when it is sent, with the keys, SPIs and flags of the IKE SA current then (a queued
/// request survives an IKE SA rekey). The kind decides what its answer means. Classes, not records: the queue finds
/// and cancels requests by identity.
/// </summary>
internal abstract class OwnRequest(ExchangeType exchange, IReadOnlyList<Payload> payloads)
{
    public ExchangeType Exchange { get; } = exchange;
    public IReadOnlyList<Payload> Payloads { get; } = payloads;

    /// <summary>Assigned when it is first sent; kept across retransmissions, moves and dormancy.</summary>
    public uint MessageId { get; set; }
}

/// <summary>Empty INFORMATIONAL: is the peer alive (RFC 7296 §1.4, §2.4)?</summary>
internal sealed class LivenessProbe() : OwnRequest(ExchangeType.Informational, []);

/// <summary>INFORMATIONAL with COOKIE2 to a MOBIKE peer's new address (RFC 4555 §3.8); the answer must echo it.</summary>
internal sealed class ReturnRoutabilityCheck(byte[] cookie2)
    : OwnRequest(ExchangeType.Informational, [NotifyPayload.Create(NotifyType.Cookie2, cookie2)])
{
    public byte[] Cookie2 { get; } = cookie2;
}

/// <summary>CREATE_CHILD_SA rekeying one of our child SAs (the state to finish it travels with the request).</summary>
internal sealed class ChildRekeyRequest(OurChildRekey rekey) : OwnRequest(ExchangeType.CreateChildSa, rekey.Payloads)
{
    public OurChildRekey Rekey { get; } = rekey;
}

/// <summary>CREATE_CHILD_SA rekeying the IKE SA.</summary>
internal sealed class IkeRekeyRequest(OurIkeRekey rekey) : OwnRequest(ExchangeType.CreateChildSa, rekey.Payloads)
{
    public OurIkeRekey Rekey { get; } = rekey;
}

/// <summary>INFORMATIONAL deleting child SAs named by our inbound SPIs; those still installed go when the peer answers.</summary>
internal sealed class DeleteChildRequest(IReadOnlyList<uint> inboundSpis)
    : OwnRequest(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, inboundSpis)])
{
    public IReadOnlyList<uint> InboundSpis { get; } = inboundSpis;
}

/// <summary>
/// INFORMATIONAL with N(REDIRECT) and no nonce data (RFC 5685 §5: the nonce is only for IKE_SA_INIT): an operator moves
/// the established peer to <see cref="Gateway"/>. Its answer only ends the retransmissions; the SA goes when the peer
/// deletes it or at <see cref="ResponderOptions.RedirectDeadlineTimerKey"/>.
/// </summary>
internal sealed class RedirectRequest(GatewayIdentity gateway)
    : OwnRequest(ExchangeType.Informational, [NotifyPayload.Redirect(gateway, [])])
{
    public GatewayIdentity Gateway { get; } = gateway;
}

/// <summary>
/// INFORMATIONAL deleting an IKE SA that is not current (the one a rekey replaced, or a redundant one). It travels on
/// that SA, with that SA's keys and message IDs (RFC 7296 §2.2: IDs are per IKE SA), outside the tracker of the current
/// SA; see <see cref="RetiredIkeSa.OurDelete"/>.
/// </summary>
internal sealed class DeleteIkeRequest() : OwnRequest(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);

/// <summary>Our Delete on a retired IKE SA, on the wire.</summary>
internal sealed class OutstandingDelete(uint messageId, byte[] message)
{
    public uint MessageId { get; } = messageId;
    public byte[] Message { get; } = message;

    /// <summary>Index into <see cref="ResponderOptions.RetransmitIntervals"/> of the current wait.</summary>
    public int Attempt { get; set; }
}
