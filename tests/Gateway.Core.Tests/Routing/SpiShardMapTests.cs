using System.Security.Cryptography;
using Gateway.Core.Routing;

namespace Gateway.Core.Tests.Routing;

public sealed class SpiShardMapTests
{
    [Theory]
    [InlineData(0x0000000000010001UL, "000000000001")]
    [InlineData(0xfedcba9876543210UL, "fedcba987654")]
    public void The_entity_id_is_the_session_id_in_12_hex_digits_and_parses_back(ulong spi, string entityId)
    {
        Assert.Equal(entityId, SpiShardMap.EntityId(spi));
        Assert.True(SpiShardMap.TryParseEntityId(entityId, out var session));
        Assert.Equal(SpiShardMap.SessionOf(spi), session);
        Assert.Equal(spi, SpiShardMap.SpiOf(session, (ushort)spi));
        Assert.False(SpiShardMap.TryParseEntityId("xyz", out _));
        Assert.False(SpiShardMap.TryParseEntityId("fedcba9876543210", out _));
    }

    [Fact]
    public void Every_generation_of_a_session_has_the_same_entity_and_shard()
    {
        var map = new SpiShardMap(100);
        const ulong spi = 0x0123_4567_89ab_cdef;
        for (int generation = 0; generation <= ushort.MaxValue; generation += 4099)
        {
            var other = SpiShardMap.SpiOf(SpiShardMap.SessionOf(spi), (ushort)generation);
            Assert.Equal(SpiShardMap.EntityId(spi), SpiShardMap.EntityId(other));
            Assert.Equal(map.ShardId(spi), map.ShardId(other));
        }
        Assert.Equal(map.ShardId(spi), map.ShardIdOfSession(SpiShardMap.SessionOf(spi)));
        var extractor = new SessionMessageExtractor(map);
        Assert.Equal(map.ShardId(spi), extractor.ShardId(SpiShardMap.EntityId(spi)));
    }

    [Fact]
    public void A_session_allocates_rekey_spis_with_its_own_session_bits_and_never_repeats_a_recent_one()
    {
        const ulong opened = 0xabcd_ef01_2345_6789;
        var services = new Gateway.Core.Sessions.SessionResponderServices(new Gateway.Core.Tests.Actors.FakeResponderServices(), opened);
        var seen = new HashSet<ulong> { opened };
        for (int i = 0; i < 8; i++)
        {
            var spi = ((Gateway.Core.IkeSa.IResponderServices)services).AllocateIkeSpi();
            Assert.Equal(SpiShardMap.SessionOf(opened), SpiShardMap.SessionOf(spi));
            Assert.True(seen.Add(spi));
        }
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
