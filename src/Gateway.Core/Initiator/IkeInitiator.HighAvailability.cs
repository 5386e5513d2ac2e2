using System.Buffers.Binary;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// RFC 6311 from the client's side, for a gateway cluster that resumed our IKE SA on another node: when we announced
/// IKEV2_MESSAGE_ID_SYNC_SUPPORTED (16420), an INFORMATIONAL #0 request with N(IKEV2_MESSAGE_ID_SYNC: nonce | M1 | P1)
/// is answered with nonce | P2 | M2 — P2 the ID of our next request (the one outstanding, if any: the new node never
/// saw it), M2 the request ID we expect, each raised to at least what the gateway sent, and taken over. With
/// IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED (16421) announced too, an N(IPSEC_REPLAY_COUNTER_SYNC) beside it carries the
/// delta (4 bytes, or 8 for ESN SAs) by which we must move the outbound ESP counters of every child SA
/// (<see cref="SyncRequestAnswered.ReplayDelta"/>: the shell moves them before it sends the answer). Message ID 0 is
/// used by every sync, so the request is recognised by its notify, before the usual ID checks; a retransmission (same
/// nonce) gets the same answer and moves nothing again.
/// </summary>
public sealed partial class IkeInitiator
{
    private const int SyncDataLength = 12;

    private (uint Nonce, IReadOnlyList<InitiatorDatagram> Answer)? _lastSync;

    /// <summary>True when the request was a sync request (answered, or dropped as bad); false: not one, process as usual.</summary>
    private bool TryAnswerSyncRequest(ReadOnlyMemory<byte> message, IkeHeader header)
    {
        if (!_settings.MessageIdSync || header.MessageId != 0 || header.ExchangeType != ExchangeType.Informational
            || header.NextPayload != PayloadType.Encrypted || Phase != InitiatorPhase.Established)
            return false;
        if (SkMessages.TryOpen(message.Span, _sa!.Inbound, out _)?.Payloads is not { } payloads
            || payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.Ikev2MessageIdSync) is not { } sync)
            return false;
        if (sync.Data.Length != SyncDataLength)
            return true; // malformed: dropped, as the gateway drops a bad answer
        var data = sync.Data.Span;
        uint nonce = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (_lastSync is { } last && last.Nonce == nonce)
        {
            _send.AddRange(last.Answer);
            return true;
        }
        uint gatewayNext = BinaryPrimitives.ReadUInt32BigEndian(data[4..]); // M1
        uint gatewayExpects = BinaryPrimitives.ReadUInt32BigEndian(data[8..]); // P1
        uint ourNext = Math.Max(_outstanding.Count > 0 ? _awaitedId : _nextMessageId, gatewayExpects);
        if (_outstanding.Count == 0)
            _nextMessageId = ourNext;
        uint weExpect = Math.Max(_peerNextId, gatewayNext);
        if (weExpect != _peerNextId)
        {
            _peerNextId = weExpect;
            _lastAnswer = []; // its ID is no longer the one before the expected one
        }
        ulong? delta = _settings.ReplayCounterSync ? ReplayDelta(payloads) : null;
        var answer = new byte[SyncDataLength];
        BinaryPrimitives.WriteUInt32BigEndian(answer, nonce);
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), ourNext);  // P2
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), weExpect); // M2
        var datagrams = Seal(ExchangeType.Informational, 0, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, answer)], response: true)
            .Select(Datagram).ToList();
        _lastSync = (nonce, datagrams);
        _events.Add(new SyncRequestAnswered(ourNext, weExpect, delta));
        _send.AddRange(datagrams);
        return true;
    }

    /// <summary>The delta of N(IPSEC_REPLAY_COUNTER_SYNC): 32 bits, or 64 for ESN SAs; null when absent or malformed.</summary>
    private static ulong? ReplayDelta(IReadOnlyList<Payload> payloads) =>
        payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.IpsecReplayCounterSync)?.Data switch
        {
            { Length: 4 } d => BinaryPrimitives.ReadUInt32BigEndian(d.Span),
            { Length: 8 } d => BinaryPrimitives.ReadUInt64BigEndian(d.Span),
            _ => null,
        };

    /// <summary>Our RFC 6311 support for the IKE_AUTH request (§3: announced there by both sides).</summary>
    private IEnumerable<Payload> SyncSupportNotifies()
    {
        if (_settings.MessageIdSync)
            yield return NotifyPayload.Create(NotifyType.Ikev2MessageIdSyncSupported);
        if (_settings.MessageIdSync && _settings.ReplayCounterSync)
            yield return NotifyPayload.Create(NotifyType.IpsecReplayCounterSyncSupported);
    }
}
