using System.Collections.Concurrent;

namespace Gateway.Esp.Tests;

public class SequenceCounterTests
{
    [Fact]
    public void StartsAtOneAndCounts()
    {
        var counter = new SequenceCounter(extendedSequenceNumbers: true);
        Assert.Equal(0UL, counter.LastUsed);
        for (ulong expected = 1; expected <= 5; expected++)
        {
            Assert.True(counter.TryNext(out ulong seq));
            Assert.Equal(expected, seq);
        }
        Assert.Equal(5UL, counter.LastUsed);
    }

    [Fact]
    public void WithoutEsnTheLastNumberIs2To32Minus1()
    {
        var counter = new SequenceCounter(extendedSequenceNumbers: false, lastUsed: uint.MaxValue - 2);
        Assert.True(counter.TryNext(out ulong a));
        Assert.True(counter.TryNext(out ulong b));
        Assert.Equal(uint.MaxValue - 1UL, a);
        Assert.Equal((ulong)uint.MaxValue, b);
        Assert.True(counter.IsExhausted);
        for (int i = 0; i < 3; i++)
        {
            Assert.False(counter.TryNext(out ulong none));
            Assert.Equal(0UL, none);
        }
        Assert.Equal((ulong)uint.MaxValue, counter.LastUsed);
    }

    [Fact]
    public void WithEsnTheCounterPasses2To32AndStopsAt2To64Minus1WithoutWrapping()
    {
        var crossing = new SequenceCounter(extendedSequenceNumbers: true, lastUsed: uint.MaxValue);
        Assert.True(crossing.TryNext(out ulong beyond));
        Assert.Equal(1UL << 32, beyond);

        var counter = new SequenceCounter(extendedSequenceNumbers: true, lastUsed: ulong.MaxValue - 1);
        Assert.True(counter.TryNext(out ulong last));
        Assert.Equal(ulong.MaxValue, last);
        for (int i = 0; i < 3; i++)
            Assert.False(counter.TryNext(out _)); // never 0 or 1 again
        Assert.True(counter.IsExhausted);
    }

    [Fact]
    public void ConcurrentSendersGetUniqueNumbers()
    {
        var counter = new SequenceCounter(extendedSequenceNumbers: true);
        var all = new ConcurrentBag<ulong[]>();
        const int threads = 4, perThread = 50_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            var mine = new ulong[perThread];
            for (int i = 0; i < perThread; i++)
            {
                Assert.True(counter.TryNext(out mine[i]));
            }
            all.Add(mine);
        });
        var distinct = new HashSet<ulong>(all.SelectMany(a => a));
        Assert.Equal(threads * perThread, distinct.Count);
        Assert.Equal((ulong)(threads * perThread), counter.LastUsed);
        Assert.Equal(1UL, distinct.Min());
    }

    [Fact]
    public void ConcurrentSendersAtTheLimitGetExactlyTheRemainingNumbers()
    {
        var counter = new SequenceCounter(extendedSequenceNumbers: false, lastUsed: uint.MaxValue - 1000);
        int granted = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 500; i++)
            {
                if (counter.TryNext(out ulong seq))
                {
                    Assert.InRange(seq, uint.MaxValue - 999UL, uint.MaxValue);
                    Interlocked.Increment(ref granted);
                }
            }
        });
        Assert.Equal(1000, granted);
        Assert.True(counter.IsExhausted);
    }

    // RFC 6311 replay counter sync: the counter skips the delta; capped at the limit, which exhausts the SA.
    [Fact]
    public void Advance_skips_the_delta_and_stops_at_the_limit()
    {
        var counter = new SequenceCounter(extendedSequenceNumbers: false, lastUsed: 20);
        Assert.True(counter.Advance(1ul << 23));
        Assert.True(counter.TryNext(out ulong seq));
        Assert.Equal(20 + (1ul << 23) + 1, seq);
        Assert.False(counter.Advance(uint.MaxValue));
        Assert.Equal((ulong)uint.MaxValue, counter.LastUsed);
        Assert.False(counter.TryNext(out _));
    }
}
