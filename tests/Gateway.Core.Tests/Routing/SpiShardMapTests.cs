using System.Security.Cryptography;
using Gateway.Core.Routing;

namespace Gateway.Core.Tests.Routing;

public sealed class SpiShardMapTests
{
    [Theory]
    [InlineData(0x0000000000000001UL, "0000000000000001")]
    [InlineData(0xfedcba9876543210UL, "fedcba9876543210")]
    public void The_entity_id_is_the_spi_in_16_hex_digits_and_parses_back(ulong spi, string entityId)
    {
        Assert.Equal(entityId, SpiShardMap.EntityId(spi));
        Assert.True(SpiShardMap.TryParseEntityId(entityId, out var parsed));
        Assert.Equal(spi, parsed);
        Assert.False(SpiShardMap.TryParseEntityId("xyz", out _));
    }

    [Fact]
    public void The_shard_depends_only_on_the_top_32_bits()
    {
        var map = new SpiShardMap(100);
        Assert.Equal(map.ShardOf(0x0000_0123_0000_0000), map.ShardOf(0x0000_0123_ffff_ffff));
        Assert.Equal("91", map.ShardId(0x0000_0123_0000_0000)); // 0x123 = 291
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1000)]
    public void A_spi_drawn_for_a_shard_lands_in_it(int shardCount)
    {
        var map = new SpiShardMap(shardCount);
        var random = new byte[8];
        for (int i = 0; i < 2000; i++)
        {
            RandomNumberGenerator.Fill(random);
            int shard = i % shardCount;
            Assert.Equal(shard, map.ShardOf(map.SpiInShard(shard, random)));
        }
    }

    [Fact]
    public void Fresh_spis_are_nonzero_and_prefer_local_shards_when_known()
    {
        var map = new SpiShardMap(100);
        var local = new FixedShards([3, 42]);
        var source = new RandomResponderSpiSource(map, local);
        for (int i = 0; i < 1000; i++)
        {
            var spi = source.Next();
            Assert.NotEqual(0UL, spi);
            Assert.Contains(map.ShardOf(spi), local.Current);
        }

        var anywhere = new RandomResponderSpiSource(map, NoLocalShardPreference.Instance);
        Assert.True(Enumerable.Range(0, 1000).Select(_ => map.ShardOf(anywhere.Next())).Distinct().Count() > 50);
    }

    private sealed class FixedShards(IReadOnlyList<int> shards) : ILocalShards
    {
        public IReadOnlyList<int> Current => shards;
    }
}
