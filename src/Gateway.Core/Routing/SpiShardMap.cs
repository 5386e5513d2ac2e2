using System.Globalization;

namespace Gateway.Core.Routing;

/// <summary>
/// The one rule that lets any node route any IKE message without a lookup (DESIGN.md, "Cluster from the first day"),
/// across IKE SA rekeys too. Our IKE SPI is split in two: the top 48 bits are the <em>session id</em>, fixed for the
/// life of a client's session; the low 16 bits are random per IKE SA generation (a rekey draws new ones, see
/// <see cref="Sessions.SessionResponderServices"/>). The entity id is the session id as 12 lowercase hex digits, and
/// the shard is the SPI's top 32 bits modulo the shard count — both functions of the session bits alone, so every SPI
/// an IKE SA ever gets (rekeyed, redundant, retired) reaches the same entity. Every node must use the same shard count.
/// </summary>
public sealed class SpiShardMap
{
    /// <summary>Low SPI bits that change with each IKE SA generation; the rest is the session id.</summary>
    public const int GenerationBits = 16;

    public SpiShardMap(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ShardCount = shardCount;
    }

    public int ShardCount { get; }

    /// <summary>The session id (top 48 bits) of one of our IKE SPIs.</summary>
    public static ulong SessionOf(ulong spi) => spi >> GenerationBits;

    /// <summary>The SPI of a session's IKE SA generation.</summary>
    public static ulong SpiOf(ulong sessionId, ushort generation) => (sessionId << GenerationBits) | generation;

    /// <summary>The entity id of the session an SPI of ours belongs to.</summary>
    public static string EntityId(ulong spi) => EntityIdOfSession(SessionOf(spi));

    public static string EntityIdOfSession(ulong sessionId) => sessionId.ToString("x12", CultureInfo.InvariantCulture);

    public static bool TryParseEntityId(string entityId, out ulong sessionId) =>
        ulong.TryParse(entityId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out sessionId)
        && entityId.Length == 12;

    /// <summary>Top bits (inside the session id), so the low bits stay free for randomness when a SPI is drawn for a chosen shard.</summary>
    public int ShardOf(ulong spi) => (int)((spi >> 32) % (uint)ShardCount);

    public string ShardId(ulong spi) => ShardOf(spi).ToString(CultureInfo.InvariantCulture);

    public string ShardIdOfSession(ulong sessionId) => ShardId(SpiOf(sessionId, 0));

    /// <summary>
    /// Inbound ESP SPIs are partitioned by shard too (issue 5): the 2^32 SPIs are cut into shard-count equal ranges, and a
    /// session's child SAs get SPIs in its shard's range. A shard runs on one node at a time, and that node's SPI table
    /// holds every SPI of the shard's SAs (restored ones reclaim theirs), so two nodes never draw the same inbound SPI —
    /// steering forwards ESP by SPI across nodes sharing one address. (The one gap: an SA of a shard that has just moved
    /// and not yet recovered its state is not in the new owner's table; docs/persistence.md.) Ranges rather than
    /// remainders keep the low bits random, which the data plane's worker choice (SPI modulo workers) relies on.
    /// </summary>
    public uint EspSpiClass(ulong ikeSpi) => (uint)ShardOf(ikeSpi);

    /// <summary>
    /// <paramref name="random"/> moved into range <paramref name="index"/> of <paramref name="classes"/> equal ranges of
    /// the SPI space, or null when it lands in 0..255 (RFC 4303 reserves them): draw again.
    /// </summary>
    public static uint? EspSpiInClass(uint random, uint classes, uint index)
    {
        ArgumentOutOfRangeException.ThrowIfZero(classes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, classes);
        ulong size = (1ul << 32) / classes;
        ulong spi = index * size + random % size;
        return spi <= 255 ? null : (uint)spi;
    }

    /// <summary>The range of <paramref name="classes"/> an ESP SPI lies in (the last range takes the remainder).</summary>
    public static uint EspSpiClassOf(uint spi, uint classes) => (uint)Math.Min(spi / ((1ul << 32) / classes), classes - 1);

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
