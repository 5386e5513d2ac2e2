using System.Buffers.Binary;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// RFC 6311's second half, IPSEC_REPLAY_COUNTER_SYNC (16423), for peers that announced
// IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED (16421) in IKE_AUTH (we echo it to them only, as for 16420). Its notify data
// (protocol 0, no SPI) is one "incoming IPsec SA delta value" (RFC 6311, "IPsec Replay Counter Synchronization"): the
// peer adds it to the outbound ESP sequence counters of every child SA of the IKE SA, i.e. to the numbers we receive;
// 32 bits for SAs without ESN, 64 with ESN, so it goes out only when the resumed children agree on ESN. It rides in the
// resumed SA's INFORMATIONAL #0 next to IKEV2_MESSAGE_ID_SYNC (IkeSaResponder.MessageIdSync.cs), which goes out once
// per IKE SA, so this one does too. The answer is the message-ID sync response (same nonce): once it came, the peer
// has moved its counters, and each resumed inbound SA refuses everything up to its persisted inbound mark + delta —
// no packet captured before the failover can be replayed any more. Unanswered, the SAs keep the window they were
// resumed with (the mark, docs/persistence.md). Children installed after the resume start at 0 on both sides and are
// left alone. The delta must exceed what the peer may have sent since the mark was saved (ReplayCounterSyncDelta).
public sealed partial class IkeSaResponder
{
    /// <summary>The peer sent IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED in IKE_AUTH (persisted with the SA).</summary>
    public bool PeerSupportsReplayCounterSync { get; private set; }

    /// <summary>Floors (our inbound SPI → mark + delta) that take effect once the peer answers the sync request.</summary>
    private IReadOnlyList<(uint InboundSpi, ulong Floor)> _replayFloorsOnAnswer = [];

    private void ObserveReplayCounterSyncSupport(OpenedMessage request)
    {
        if (request.FindNotify(NotifyType.IpsecReplayCounterSyncSupported) is not null)
            PeerSupportsReplayCounterSync = true;
    }

    /// <summary>For the IKE_AUTH response: our support, only to a peer that announced its own (§3).</summary>
    private IEnumerable<Payload> ReplayCounterSyncSupportNotify() =>
        PeerSupportsReplayCounterSync ? [NotifyPayload.Create(NotifyType.IpsecReplayCounterSyncSupported)] : [];

    /// <summary>
    /// For the resumed SA's sync request: N(IPSEC_REPLAY_COUNTER_SYNC) with the delta, or nothing when the peer does
    /// not support it, no child was resumed, the children mix ESN and non-ESN, or a non-ESN child is so near the end of
    /// its 32-bit space that mark + delta would not leave it another delta of room (it is about to be rekeyed anyway).
    /// </summary>
    private IEnumerable<Payload> ReplayCounterSyncRequest()
    {
        var resumed = _children.All.Where(c => _restoredMarks.ContainsKey(c.InboundSpi)).ToArray();
        if (!PeerSupportsReplayCounterSync || resumed.Length == 0)
            return [];
        bool esn = resumed[0].ExtendedSequenceNumbers;
        ulong delta = _options.ReplayCounterSyncDelta;
        var floors = new List<(uint, ulong)>(resumed.Length);
        foreach (var child in resumed)
        {
            ulong mark = _restoredMarks[child.InboundSpi].Inbound;
            if (child.ExtendedSequenceNumbers != esn || (!esn && mark > uint.MaxValue - 2 * delta))
                return [];
            floors.Add((child.InboundSpi, mark + delta));
        }
        var data = new byte[esn ? 8 : 4];
        if (esn)
            BinaryPrimitives.WriteUInt64BigEndian(data, delta);
        else
            BinaryPrimitives.WriteUInt32BigEndian(data, (uint)delta);
        _replayFloorsOnAnswer = floors;
        return [NotifyPayload.Create(NotifyType.IpsecReplayCounterSync, data)];
    }

    /// <summary>The peer answered the sync request: it has moved its counters, so the floors apply (and are saved).</summary>
    private void OnReplayCountersSynchronized(StepBuilder step)
    {
        foreach (var (spi, floor) in _replayFloorsOnAnswer)
        {
            if (!_children.All.Any(c => c.InboundSpi == spi))
                continue; // deleted while the sync was under way
            var marks = _restoredMarks[spi];
            _restoredMarks[spi] = marks with { Inbound = Math.Max(marks.Inbound, floor) };
            step.Emit(new InboundReplayFloorRaised(spi, floor));
        }
        _replayFloorsOnAnswer = [];
    }

    /// <summary>The sync request went unanswered: the resumed windows stay where they are.</summary>
    private void ForgetReplayCounterSync() => _replayFloorsOnAnswer = [];
}

public sealed partial record ResponderOptions
{
    /// <summary>
    /// RFC 6311 replay counter sync: how far the peer moves its outbound ESP counters after a failover. It must exceed
    /// what it may have sent since the inbound mark was last saved: the mark moves at a counter poll once 2^20 packets
    /// behind (slower SAs: within 5 minutes, fewer than 2^20), and a poll comes every 10 s, in which at most half the
    /// outbound sequence margin (2^21) is assumed to be sent (SessionPersistence); so 2^20 + 2^21 unsaved, or + 2^21
    /// more if the last mark's save was lost in the crash: below 2^23. Costs 1/512 of a non-ESN SA's 2^32 numbers per
    /// failover.
    /// </summary>
    public ulong ReplayCounterSyncDelta { get; init; } = 1ul << 23;
}

/// <summary>
/// RFC 6311: the peer confirmed the replay counter sync; inbound sequence numbers of the child SA at or below
/// <paramref name="Floor"/> (its persisted inbound mark + the delta) are replays from now on.
/// </summary>
public sealed record InboundReplayFloorRaised(uint InboundSpi, ulong Floor) : IkeSaEvent;
