namespace Gateway.Esp;

/// <summary>
/// Outbound ESP sequence number generator (RFC 4303 §3.3.3). The first packet gets 1; a sequence number is never
/// reused: when the counter would cycle (2^32 − 1 without ESN, 2^64 − 1 with ESN) <see cref="TryNext"/> returns false and
/// keeps returning false, and the SA must be rekeyed. Several threads may send on one SA (e.g. TUN readers), so the
/// increment is atomic.
/// </summary>
public sealed class SequenceCounter
{
    private ulong _last;

    /// <param name="extendedSequenceNumbers">True when ESN was negotiated (64-bit counter).</param>
    /// <param name="lastUsed">The last number already used, e.g. a persisted high-water mark after a failover.</param>
    public SequenceCounter(bool extendedSequenceNumbers, ulong lastUsed = 0)
    {
        ExtendedSequenceNumbers = extendedSequenceNumbers;
        Limit = extendedSequenceNumbers ? ulong.MaxValue : uint.MaxValue;
        _last = Math.Min(lastUsed, Limit);
    }

    public bool ExtendedSequenceNumbers { get; }

    /// <summary>The highest sequence number that may be sent on this SA.</summary>
    public ulong Limit { get; }

    /// <summary>The last sequence number handed out (0 before the first packet).</summary>
    public ulong LastUsed => Volatile.Read(ref _last);

    /// <summary>True once every sequence number up to <see cref="Limit"/> has been used.</summary>
    public bool IsExhausted => LastUsed >= Limit;

    /// <summary>
    /// Skips <paramref name="delta"/> sequence numbers (RFC 6311 IPSEC_REPLAY_COUNTER_SYNC: the peer's receiver refuses
    /// everything up to its old view plus the delta). Capped at <see cref="Limit"/>: false when that exhausts the SA.
    /// </summary>
    public bool Advance(ulong delta)
    {
        ulong current = Volatile.Read(ref _last);
        while (true)
        {
            ulong next = Limit - current < delta ? Limit : current + delta;
            ulong seen = Interlocked.CompareExchange(ref _last, next, current);
            if (seen == current)
                return next < Limit;
            current = seen;
        }
    }

    /// <summary>Hands out the next sequence number, or returns false (seq = 0) when the SA is exhausted.</summary>
    public bool TryNext(out ulong seq)
    {
        // A compare-exchange loop rather than Interlocked.Increment: an unconditional increment at 2^64 − 1 would wrap
        // to 0 and then hand out 1 again. The loop never spins unless two senders race on the same SA.
        ulong current = Volatile.Read(ref _last);
        while (current < Limit)
        {
            ulong next = current + 1;
            ulong seen = Interlocked.CompareExchange(ref _last, next, current);
            if (seen == current)
            {
                seq = next;
                return true;
            }
            current = seen;
        }
        seq = 0;
        return false;
    }
}
