using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// A request we start (we are the initiator of the exchange). The payloads are fixed when queued; the message is
/// sealed when it is sent, with the keys of the IKE SA that is current then.
/// </summary>
internal abstract record OwnRequest(ExchangeType Exchange, IReadOnlyList<Payload> Payloads);

/// <summary>CREATE_CHILD_SA rekeying one of our child SAs (the state to finish it travels with the request).</summary>
internal sealed record ChildRekeyRequest(OurChildRekey Rekey) : OwnRequest(ExchangeType.CreateChildSa, Rekey.Payloads);

/// <summary>CREATE_CHILD_SA rekeying the IKE SA.</summary>
internal sealed record IkeRekeyRequest(OurIkeRekey Rekey) : OwnRequest(ExchangeType.CreateChildSa, Rekey.Payloads);

/// <summary>INFORMATIONAL deleting child SAs named by our inbound SPIs; those still installed go when the peer answers.</summary>
internal sealed record DeleteChildRequest(IReadOnlyList<uint> InboundSpis)
    : OwnRequest(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, InboundSpis)]);

/// <summary>INFORMATIONAL deleting an IKE SA that is not current (the one a rekey replaced, or a redundant one).</summary>
internal sealed record DeleteIkeRequest() : OwnRequest(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);

/// <summary>Our request on the wire, awaiting its response.</summary>
internal sealed class OutstandingRequest(OwnRequest request, uint messageId, byte[] message)
{
    public OwnRequest Request { get; } = request;
    public uint MessageId { get; } = messageId;
    public byte[] Message { get; } = message;
    public int Retransmits { get; set; }
}

/// <summary>
/// Our own requests with a window of 1 (RFC 7296 §2.3): one outstanding, the rest queued in order. Minimal on purpose;
/// the liveness work brings the general tracker, with which this one is to be unified.
/// </summary>
internal sealed class OwnRequestTracker
{
    private readonly LinkedList<OwnRequest> _queue = new();

    public OutstandingRequest? Outstanding { get; set; }

    public IEnumerable<OwnRequest> Queued => _queue;

    public void Enqueue(OwnRequest request) => _queue.AddLast(request);

    public OwnRequest? Dequeue()
    {
        if (_queue.First is not { } first)
            return null;
        _queue.RemoveFirst();
        return first.Value;
    }

    /// <summary>Removes a queued (not yet sent) request; false when it is not queued.</summary>
    public bool Cancel(OwnRequest request) => _queue.Remove(request);

    /// <summary>Retransmission delay after <paramref name="retransmits"/> resends: doubling, capped at 64×.</summary>
    public static TimeSpan Backoff(TimeSpan first, int retransmits) => first * (1 << Math.Min(retransmits, 6));
}
