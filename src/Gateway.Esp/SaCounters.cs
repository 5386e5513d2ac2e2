namespace Gateway.Esp;

/// <summary>A consistent-enough copy of an SA's counters for the control plane (each field read atomically).</summary>
public readonly record struct SaCounterSnapshot(long Packets, long Bytes, long ReplayDrops, long IcvFailures, long PolicyDrops);

/// <summary>
/// Per-SA counters: written on the packet path, read by the control plane (lifetimes, rekey, metrics). Interlocked
/// adds: an outbound SA may be used by several TUN reader threads, and a 64-bit read must not tear.
/// </summary>
public sealed class SaCounters
{
    private long _packets;
    private long _bytes;
    private long _replayDrops;
    private long _icvFailures;
    private long _policyDrops;

    /// <summary>A packet protected (outbound) or verified and delivered (inbound); bytes of the inner packet.</summary>
    public void AddPacket(int innerBytes)
    {
        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, innerBytes);
    }

    public void AddReplayDrop() => Interlocked.Increment(ref _replayDrops);

    public void AddIcvFailure() => Interlocked.Increment(ref _icvFailures);

    /// <summary>A verified packet whose inner source or destination the SA does not allow.</summary>
    public void AddPolicyDrop() => Interlocked.Increment(ref _policyDrops);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Packets => Interlocked.Read(ref _packets);

    public SaCounterSnapshot Snapshot() => new(
        Interlocked.Read(ref _packets),
        Interlocked.Read(ref _bytes),
        Interlocked.Read(ref _replayDrops),
        Interlocked.Read(ref _icvFailures),
        Interlocked.Read(ref _policyDrops));
}
