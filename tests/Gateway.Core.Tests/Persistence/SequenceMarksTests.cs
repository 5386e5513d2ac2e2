using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Ike;
using Xunit;

namespace Gateway.Core.Tests.Persistence;

/// <summary>When the persisted ESP sequence marks move on (the replay window resumed at the inbound mark: ReplayWindowTests).</summary>
public sealed class SequenceMarksTests
{
    private const ulong Margin = 1000;
    private const ulong Step = 100;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static ChildSaInstallation Sa(uint spi, ulong outboundStart = 0, ulong inboundStart = 0) => new(spi, 0xc0000000 | spi,
        EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None, true, new byte[36], [], new byte[36], [],
        new IPEndPoint(IPAddress.Loopback, 4500), new IPEndPoint(IPAddress.Loopback, 4501), true, [])
    {
        OutboundSequenceStart = outboundStart,
        InboundSequenceStart = inboundStart,
    };

    private static ChildSaCounters Counters(ulong outbound, ulong inbound) =>
        new(0, 0, 0, 0, 0, 0, T0) { OutboundSequence = outbound, InboundSequence = inbound };

    private static ChildSaSnapshot Persisted(SequenceMarks marks, uint spi) => marks.Apply(new ChildSaSnapshot { Sa = Sa(spi) });

    [Fact]
    public void A_new_sa_reserves_one_margin_outbound_and_nothing_inbound()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1), T0);
        var child = Persisted(marks, 1);
        Assert.Equal(Margin, child.OutboundSequenceMark);
        Assert.Equal(0ul, child.InboundSequenceMark);
    }

    [Fact]
    public void A_resumed_sa_keeps_its_inbound_mark_and_reserves_beyond_its_outbound_one()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1, outboundStart: 5000, inboundStart: 777), T0);
        var child = Persisted(marks, 1);
        Assert.Equal(5000 + Margin, child.OutboundSequenceMark);
        Assert.Equal(777ul, child.InboundSequenceMark);
    }

    [Fact]
    public void The_inbound_mark_moves_after_a_step_of_packets_not_before()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1), T0);
        Assert.False(marks.Advance(1, Counters(0, Step - 1), T0.AddSeconds(10)));
        Assert.Equal(0ul, Persisted(marks, 1).InboundSequenceMark);
        Assert.True(marks.Advance(1, Counters(0, Step + 5), T0.AddSeconds(20)));
        Assert.Equal(Step + 5, Persisted(marks, 1).InboundSequenceMark); // as received, never ahead
    }

    [Fact]
    public void A_slow_sa_has_its_inbound_mark_saved_after_the_interval_and_an_idle_one_never()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1), T0);
        Assert.False(marks.Advance(1, Counters(0, 3), T0 + Interval - TimeSpan.FromSeconds(1)));
        Assert.True(marks.Advance(1, Counters(0, 4), T0 + Interval));
        Assert.Equal(4ul, Persisted(marks, 1).InboundSequenceMark);
        // Nothing received since: no save however long it stays idle.
        Assert.False(marks.Advance(1, Counters(0, 4), T0 + 10 * Interval));
    }

    [Fact]
    public void The_outbound_mark_moves_within_half_a_margin_of_use()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1), T0);
        Assert.False(marks.Advance(1, Counters(Margin / 2 - 1, 0), T0));
        Assert.True(marks.Advance(1, Counters(Margin / 2, 0), T0));
        Assert.Equal(Margin / 2 + Margin, Persisted(marks, 1).OutboundSequenceMark);
    }

    [Fact]
    public void A_forgotten_or_unknown_sa_is_left_as_the_machine_exported_it()
    {
        var marks = new SequenceMarks(Margin, Step, Interval);
        marks.Reserve(Sa(1), T0);
        marks.Forget(1);
        Assert.False(marks.Advance(1, Counters(Margin, Step * 2), T0));
        var exported = new ChildSaSnapshot { Sa = Sa(1), OutboundSequenceMark = 9, InboundSequenceMark = 8 };
        Assert.Equal(exported, marks.Apply(exported));
    }
}
