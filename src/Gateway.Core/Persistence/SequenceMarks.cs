using Gateway.Core.Collections;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;

namespace Gateway.Core.Persistence;

/// <summary>
/// The ESP sequence marks persisted with an IKE SA's state, per child SA (our inbound SPI), and when they move on.
/// Pure: the IKE SA actor feeds it the data plane's counters at every poll and saves the state when a mark moved.
/// <list type="bullet">
/// <item><b>Outbound</b>: a mark one <c>outboundMargin</c> ahead of use, moved on when use comes within half a margin.
/// After a failover the SA sends above it, so no sequence number is ever sent twice.</item>
/// <item><b>Inbound</b>: the highest sequence number received, as observed (never ahead: a mark ahead would make the
/// resumed SA drop the peer's real packets until its counter passed the mark, unless RFC 6311's
/// IPSEC_REPLAY_COUNTER_SYNC moved it on, which strongSwan does not implement; see below). It is moved on when it is
/// <c>inboundStep</c> packets behind, or behind at all and <c>inboundInterval</c> old. After a failover everything at
/// or below it counts as a replay; only packets received after the last save can be replayed once, so the exposure is
/// at most one step or one interval of traffic per SA (docs/persistence.md) — unless the peer supports RFC 6311's
/// IPSEC_REPLAY_COUNTER_SYNC: once it confirmed, the mark jumps to the floor it moved its counters beyond
/// (<see cref="RaiseInbound"/>).</item>
/// </list>
/// </summary>
public sealed class SequenceMarks(ulong outboundMargin, ulong inboundStep, TimeSpan inboundInterval)
{
    private readonly SmallMap<uint, Marks> _bySpi = new();

    private record struct Marks(ulong Outbound, ulong Inbound, DateTime InboundMovedUtc);

    /// <summary>A child SA was installed with these starts (0 for a new SA, the restored marks after a failover).</summary>
    public void Reserve(ChildSaInstallation sa, DateTime nowUtc) =>
        _bySpi[sa.InboundSpi] = new Marks(sa.OutboundSequenceStart + outboundMargin, sa.InboundSequenceStart, nowUtc);

    /// <summary>The child SA was removed.</summary>
    public void Forget(uint spi) => _bySpi.Remove(spi);

    /// <summary>The data plane's counters of one SA; true when a mark moved on (the state must be saved).</summary>
    public bool Advance(uint spi, ChildSaCounters counters, DateTime nowUtc)
    {
        if (!_bySpi.TryGetValue(spi, out var marks))
            return false;
        bool moved = false;
        if (counters.OutboundSequence + outboundMargin / 2 >= marks.Outbound)
        {
            marks.Outbound = counters.OutboundSequence + outboundMargin;
            moved = true;
        }
        ulong received = counters.InboundSequence;
        if (received > marks.Inbound && (received - marks.Inbound >= inboundStep || nowUtc - marks.InboundMovedUtc >= inboundInterval))
        {
            marks.Inbound = received;
            marks.InboundMovedUtc = nowUtc;
            moved = true;
        }
        _bySpi[spi] = marks;
        return moved;
    }

    /// <summary>The peer moved its counters beyond <paramref name="floor"/> (RFC 6311): the inbound mark is at least that now.</summary>
    public void RaiseInbound(uint spi, ulong floor)
    {
        if (_bySpi.TryGetValue(spi, out var marks) && floor > marks.Inbound)
            _bySpi[spi] = marks with { Inbound = floor };
    }

    /// <summary>The child's snapshot with the marks to persist (unchanged for an SA without marks).</summary>
    public ChildSaSnapshot Apply(ChildSaSnapshot child) =>
        _bySpi.TryGetValue(child.Sa.InboundSpi, out var marks)
            ? child with { OutboundSequenceMark = marks.Outbound, InboundSequenceMark = marks.Inbound }
            : child;
}
