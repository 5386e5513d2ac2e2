using System.Buffers.Binary;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// RFC 6311 (IKEv2 message-ID synchronization) for IKE SAs resumed after a failover. Both sides announce
// IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (strongSwan does when asked). A resumed SA whose peer supports it sends
// INFORMATIONAL #0 {N(IKEV2_MESSAGE_ID_SYNC: nonce | M1 | P1)} — M1 our next request ID, P1 the request ID we
// expect — before any request of its own; the peer answers #0 with nonce | P2 | M2 (its next request ID, the ID it
// expects from us, each at least ours) and both continue from there (§4.1, §5.1). Kept apart from the core.
//
// Once per IKE SA and never retransmitted: message ID 0 is used again for every sync, and strongSwan (5.9.8) neither
// caches its sync response nor will seal a second message with ID 0 under the same AEAD keys (its sequential IVs
// would repeat): a second #0 request — a retransmission, or the sync of a second failover — makes it fail to build
// the response ("encrypting encrypted payload failed, no IV or padding") and destroy the IKE SA with its tunnel
// (found by the three-node failover lab test). The same happens when it has already answered one of our requests:
// that response was its ID-0 message. So a sync goes out only while we have sent no request on the IKE SA, and the
// first sync spends the peer's support (persisted with the SA); other resumes continue with the persisted IDs, which
// are exact unless an exchange outran its save.
//
// A peer that also announced IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED gets N(IPSEC_REPLAY_COUNTER_SYNC) in the same request,
// and its answer raises the resumed inbound replay windows (IkeSaResponder.ReplayCounterSync.cs).
public sealed partial class IkeSaResponder
{
    /// <summary>Timer of the sync request's wait (the usual back-off; the SA carries on if it goes unanswered).</summary>
    public const string MessageIdSyncTimerKey = "message-id-sync";

    private const int SyncDataLength = 12;

    /// <summary>The sync request on the wire: its nonce, its datagram, how many waits have passed.</summary>
    private (uint Nonce, byte[] Message, int Attempt)? _messageIdSync;

    /// <summary>The peer sent IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (strongSwan does) and no sync has been sent yet.</summary>
    public bool PeerSupportsMessageIdSync { get; private set; }

    /// <summary>True while our RFC 6311 sync request waits for its answer (our own requests wait with it).</summary>
    public bool MessageIdSyncPending => _messageIdSync is not null;

    private void ObserveMessageIdSyncSupport(OpenedMessage request)
    {
        if (request.FindNotify(NotifyType.Ikev2MessageIdSyncSupported) is not null)
            PeerSupportsMessageIdSync = true;
    }

    /// <summary>For the IKE_AUTH response: our support, only to a peer that announced its own (§3).</summary>
    private IEnumerable<Payload> MessageIdSyncSupportNotify() =>
        PeerSupportsMessageIdSync ? [NotifyPayload.Create(NotifyType.Ikev2MessageIdSyncSupported)] : [];

    /// <summary>After a resume: the sync request, when the peer supports it.</summary>
    private void OnResumedMessageIdSync(StepBuilder step)
    {
        // Our request #0 (a rekey, a liveness probe) had a response #0 from the peer: a sync would ask for a second.
        if (!PeerSupportsMessageIdSync || _requests.NextMessageId != 0 || _crypto is null || Local is null || Remote is null)
            return;
        Span<byte> nonceBytes = stackalloc byte[4];
        _services.Random(nonceBytes);
        uint nonce = BinaryPrimitives.ReadUInt32BigEndian(nonceBytes);
        var data = new byte[SyncDataLength];
        BinaryPrimitives.WriteUInt32BigEndian(data, nonce);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), _requests.NextMessageId);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), _expectedRequestId);
        var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, ExchangeType.Informational, OwnFlags(IkeHeaderFlags.None), 0);
        Payload[] payloads = [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, data), .. ReplayCounterSyncRequest()];
        var message = SkMessages.Seal(header, payloads, _crypto.Outbound);
        _messageIdSync = (nonce, message, 0);
        PeerSupportsMessageIdSync = false; // spent: saved with the SA, so no later resume sends #0 again
        step.Send(new IkeDatagram(message, Local, Remote));
        step.Timer(MessageIdSyncTimerKey, OutgoingRequests.Wait(_options, 0));
    }

    /// <summary>The sync's wait (the usual back-off, without resending: see the top of this file); false for other keys.</summary>
    private bool OnMessageIdSyncTimer(TimerFired timer, StepBuilder step)
    {
        if (timer.Key != MessageIdSyncTimerKey)
            return false;
        if (_messageIdSync is { } sync)
        {
            if (sync.Attempt + 1 < _options.RetransmitIntervals.Count)
            {
                _messageIdSync = sync with { Attempt = sync.Attempt + 1 };
                step.Timer(MessageIdSyncTimerKey, OutgoingRequests.Wait(_options, sync.Attempt + 1));
            }
            else
            {
                // Unanswered: carry on with the IDs (and replay windows) we have; the peer may simply not have failed over with us.
                _messageIdSync = null;
                ForgetReplayCounterSync();
                SendNextOwnRequest(step);
            }
        }
        return true;
    }

    /// <summary>A response #0 while our sync is outstanding: the peer's P2 and M2 (§5.1). False when it is not that.</summary>
    private bool TryHandleMessageIdSyncResponse(IkeDatagram datagram, IkeHeader header, StepBuilder step)
    {
        if (_messageIdSync is not { } sync || header.MessageId != 0 || header.ExchangeType != ExchangeType.Informational)
            return false;
        var response = SkMessages.TryOpen(datagram.Message.Span, _crypto!.Inbound, out var why);
        if (response is null)
        {
            Drop(step, why);
            return true;
        }
        if (response.FindNotify(NotifyType.Ikev2MessageIdSync) is not { } notify || notify.Data.Length != SyncDataLength
            || BinaryPrimitives.ReadUInt32BigEndian(notify.Data.Span) != sync.Nonce)
        {
            Drop(step, IkeDropReason.Unexpected);
            return true;
        }
        uint peerNextRequest = BinaryPrimitives.ReadUInt32BigEndian(notify.Data.Span[4..]);  // P2
        uint peerExpects = BinaryPrimitives.ReadUInt32BigEndian(notify.Data.Span[8..]);      // M2
        // Never go back: a lower value would make us accept a replayed request or reuse one of our IDs.
        if (peerNextRequest > _expectedRequestId)
            _expectedRequestId = peerNextRequest;
        if (peerExpects > _requests.NextMessageId)
            _requests.ResumeAt(peerExpects);
        _messageIdSync = null;
        step.Timer(MessageIdSyncTimerKey, null);
        step.Emit(new MessageIdsSynchronized(_requests.NextMessageId, _expectedRequestId));
        OnReplayCountersSynchronized(step);
        SendNextOwnRequest(step);
        return true;
    }
}

/// <summary>RFC 6311: after a resume the peer confirmed the message IDs: ours next, and the one we expect from it.</summary>
public sealed record MessageIdsSynchronized(uint NextOwnRequestId, uint ExpectedRequestId) : IkeSaEvent;
