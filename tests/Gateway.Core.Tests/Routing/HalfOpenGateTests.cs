using System.Net;
using Gateway.Core.Metrics;
using Gateway.Core.Routing;
using Gateway.Core.Tests.Actors;

namespace Gateway.Core.Tests.Routing;

public sealed class HalfOpenGateTests
{
    private static readonly IPEndPoint A = new(IPAddress.Parse("192.0.2.1"), 500);
    private static readonly IPEndPoint B = new(IPAddress.Parse("192.0.2.2"), 4500);

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryGatewayMetrics _metrics = new();

    private HalfOpenGate Gate(int capacity) => new(capacity, TimeSpan.FromSeconds(30), _clock,
        new RandomResponderSpiSource(new SpiShardMap(100), NoLocalShardPreference.Instance), _metrics);

    [Fact]
    public void A_retransmission_gets_the_same_spi_a_new_peer_or_initiator_spi_another()
    {
        var gate = Gate(10);
        Assert.Equal(HalfOpenAdmission.New, gate.Admit(A, 1, out var first));
        // A copy of the endpoint, as a socket loop would hand over.
        Assert.Equal(HalfOpenAdmission.Retransmission, gate.Admit(new IPEndPoint(A.Address, A.Port), 1, out var again));
        Assert.Equal(first, again);
        Assert.Equal(HalfOpenAdmission.New, gate.Admit(B, 1, out var other));
        Assert.Equal(HalfOpenAdmission.New, gate.Admit(A, 2, out var third));
        Assert.Equal(3, new[] { first, other, third }.Distinct().Count());
        Assert.Equal(3, gate.Count);
        Assert.Equal(3, _metrics.HalfOpen);
    }

    [Fact]
    public void A_session_is_opening_while_its_half_open_SA_is_held()
    {
        var gate = Gate(10);
        gate.Admit(A, 1, out var released);
        gate.Admit(B, 1, out var expiring);
        ulong session = SpiShardMap.SessionOf(released);
        Assert.True(gate.IsOpening(session));
        Assert.True(gate.IsOpening(SpiShardMap.SessionOf(expiring)));
        Assert.False(gate.IsOpening(session ^ 1));

        gate.Release(released); // established (or ended)
        Assert.False(gate.IsOpening(session));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(gate.IsOpening(SpiShardMap.SessionOf(expiring))); // expired, even with nothing else sweeping
        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public void Finding_a_half_open_SA_never_admits_one_and_forgets_it_once_released()
    {
        var gate = Gate(10);
        Assert.False(gate.TryFindHalfOpen(A, 1, out _));
        Assert.Equal(0, gate.Count);

        gate.Admit(A, 1, out var spi);
        Assert.True(gate.TryFindHalfOpen(new IPEndPoint(A.Address, A.Port), 1, out var found));
        Assert.Equal(spi, found);
        Assert.False(gate.TryFindHalfOpen(B, 1, out _));
        Assert.False(gate.TryFindHalfOpen(A, 2, out _));

        gate.Release(spi);
        Assert.False(gate.TryFindHalfOpen(A, 1, out _));
    }

    [Fact]
    public void Over_the_cap_new_SAs_are_refused_until_one_is_released()
    {
        var gate = Gate(2);
        gate.Admit(A, 1, out var first);
        gate.Admit(A, 2, out _);

        Assert.Equal(HalfOpenAdmission.Full, gate.Admit(A, 3, out var none));
        Assert.Equal(0UL, none);
        Assert.Equal(HalfOpenAdmission.Retransmission, gate.Admit(A, 1, out _));

        gate.Release(first);
        Assert.Equal(1, _metrics.HalfOpen);
        Assert.Equal(HalfOpenAdmission.New, gate.Admit(A, 3, out _));
        // Released: a late retransmission of the first now opens a new SA.
        Assert.Equal(HalfOpenAdmission.Full, gate.Admit(A, 1, out _));
    }

    [Fact]
    public void Entries_expire_after_their_lifetime()
    {
        var gate = Gate(1);
        gate.Admit(A, 1, out var first);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HalfOpenAdmission.Full, gate.Admit(B, 1, out _));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HalfOpenAdmission.New, gate.Admit(B, 1, out var second));
        Assert.NotEqual(first, second);
        Assert.Equal(1, gate.Count);
    }

    [Fact]
    public void Quick_churn_does_not_grow_the_table()
    {
        var gate = Gate(4);
        for (ulong i = 1; i <= 10_000; i++)
        {
            Assert.Equal(HalfOpenAdmission.New, gate.Admit(A, i, out var spi));
            gate.Release(spi);
        }

        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public void Concurrent_admissions_respect_the_cap()
    {
        var gate = Gate(500);
        Parallel.For(1, 5001, i => gate.Admit(A, (ulong)i, out _));
        Assert.Equal(500, gate.Count);
    }
}
