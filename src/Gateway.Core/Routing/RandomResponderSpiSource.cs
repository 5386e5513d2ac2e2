using System.Security.Cryptography;

namespace Gateway.Core.Routing;

/// <summary>
/// Random nonzero SPIs. When <see cref="ILocalShards"/> names shards this node hosts, the SPI is drawn inside one of
/// them, so the client's later messages route to the node that received its IKE_SA_INIT (no hop between nodes).
/// With none known (single node, or before the first refresh) any SPI will do.
/// </summary>
public sealed class RandomResponderSpiSource(SpiShardMap map, ILocalShards localShards) : IResponderSpiSource
{
    public ulong Next()
    {
        Span<byte> random = stackalloc byte[12];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            ulong spi = BitConverter.ToUInt64(random);
            var preferred = localShards.Current;
            if (preferred.Count > 0)
                spi = map.SpiInShard(preferred[(int)(BitConverter.ToUInt32(random[8..]) % (uint)preferred.Count)], random);
            if (spi != 0)
                return spi;
        }
    }
}
