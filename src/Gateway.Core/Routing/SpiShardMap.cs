using System.Globalization;

namespace Gateway.Core.Routing;

/// <summary>
/// The one rule that lets any node route any IKE message without a lookup (DESIGN.md, "Cluster from the first day"):
/// the entity id is our responder SPI as 16 lowercase hex digits, and the shard is the SPI's top 32 bits modulo the
/// shard count. Every node must use the same shard count, or they disagree about where an SA lives.
/// </summary>
public sealed class SpiShardMap
{
    public SpiShardMap(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ShardCount = shardCount;
    }

    public int ShardCount { get; }

    public static string EntityId(ulong responderSpi) => responderSpi.ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParseEntityId(string entityId, out ulong responderSpi) =>
        ulong.TryParse(entityId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out responderSpi)
        && entityId.Length == 16;

    /// <summary>Top bits, so the low bits stay free for randomness when a SPI is drawn for a chosen shard.</summary>
    public int ShardOf(ulong responderSpi) => (int)((responderSpi >> 32) % (uint)ShardCount);

    public string ShardId(ulong responderSpi) => ShardOf(responderSpi).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A SPI that lands in <paramref name="shard"/>: top 32 bits = shard + ShardCount·k for a random k, low 32 random.
    /// <paramref name="random"/> supplies 8 fresh random bytes.
    /// </summary>
    public ulong SpiInShard(int shard, ReadOnlySpan<byte> random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        uint low = BitConverter.ToUInt32(random);
        uint spread = BitConverter.ToUInt32(random[4..]);
        ulong multiples = ((ulong)uint.MaxValue - (ulong)shard) / (ulong)ShardCount + 1;
        ulong high = (ulong)shard + (spread % multiples) * (ulong)ShardCount;
        return (high << 32) | low;
    }
}
