using System.Security.Cryptography;

namespace Gateway.Core.Routing;

/// <summary>
/// Random nonzero SPIs for new IKE SAs: a random session id (top 48 bits, see <see cref="SpiShardMap"/>) and random
/// generation bits. Session ids are not checked for uniqueness here (no cluster-wide table); the rare collision is
/// caught by the entity, which drops the second client's IKE_SA_INIT (see <see cref="Sessions.SessionActor"/>). When <see cref="ILocalShards"/> names shards this node hosts, the SPI is drawn inside one of
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
