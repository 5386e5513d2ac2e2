using System.Net;

namespace Gateway.Core.Routing;

/// <summary>
/// IKE_SA_INIT rate per source address as token buckets in a fixed-size table: the bucket is chosen by a hash of the
/// address (seeded per process by <see cref="HashCode"/>, so an attacker cannot aim collisions), so memory is the
/// same whether ten or ten million (spoofed) sources send. Addresses that share a bucket share its budget, which
/// errs on the safe side: exceeding it only means being asked for a cookie. Thread-safe (one short lock per request:
/// a few arithmetic operations).
/// </summary>
public sealed class SourceRateLimiter
{
    private struct Bucket
    {
        public double Tokens;
        public long LastTicks;
    }

    private readonly Bucket[] _buckets;
    private readonly object _lock = new();
    private readonly double _perSecond;
    private readonly double _burst;
    private readonly TimeProvider _clock;

    /// <param name="tableSize">Number of buckets (rounded up to a power of two).</param>
    /// <param name="perSecond">Sustained IKE_SA_INIT requests per second a source may send without a cookie.</param>
    /// <param name="burst">How many it may send at once.</param>
    public SourceRateLimiter(int tableSize, double perSecond, int burst, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tableSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _buckets = new Bucket[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)tableSize)];
        _perSecond = perSecond;
        _burst = burst;
        _clock = clock;
    }

    /// <summary>Bytes the table holds, whatever the number of sources.</summary>
    public int TableBytes => _buckets.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<Bucket>();

    /// <summary>Takes one token from <paramref name="source"/>'s bucket; false when it is empty (rate exceeded).</summary>
    public bool TryTake(IPAddress source)
    {
        int index = IndexOf(source);
        long now = _clock.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            ref var bucket = ref _buckets[index];
            if (bucket.LastTicks == 0)
                bucket.Tokens = _burst;
            else
                bucket.Tokens = Math.Min(_burst, bucket.Tokens + Math.Max(0, now - bucket.LastTicks) * _perSecond / TimeSpan.TicksPerSecond);
            bucket.LastTicks = now;
            if (bucket.Tokens < 1)
                return false;
            bucket.Tokens -= 1;
            return true;
        }
    }

    private int IndexOf(IPAddress source)
    {
        Span<byte> bytes = stackalloc byte[16];
        source.TryWriteBytes(bytes, out int written);
        var hash = new HashCode();
        hash.AddBytes(bytes[..written]);
        return hash.ToHashCode() & (_buckets.Length - 1);
    }
}
