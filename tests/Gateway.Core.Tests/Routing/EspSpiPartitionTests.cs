using System.Net;
using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Routing;

/// <summary>Inbound ESP SPIs are unique across the cluster: each session draws in its shard's range (issue 5).</summary>
public sealed class EspSpiPartitionTests
{
    private const int Shards = 12;
    private static readonly SpiShardMap Map = new(Shards);

    private static InMemoryResponderServices NodeServices() =>
        new(new AddressPools(IPNetwork.Parse("10.77.0.0/24"), null, []));

    private static ulong SessionSpiIn(int shard)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return Map.SpiInShard(shard, random);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(0x1234_5678u)]
    [InlineData(300u)]
    public void A_draw_lands_in_its_range_or_is_refused(uint random)
    {
        for (uint index = 0; index < Shards; index++)
        {
            if (SpiShardMap.EspSpiInClass(random, Shards, index) is { } spi)
            {
                Assert.Equal(index, SpiShardMap.EspSpiClassOf(spi, Shards));
                Assert.True(spi > 255);
                Assert.Equal(random % ((1ul << 32) / Shards), spi % ((1ul << 32) / Shards)); // the low bits stay the draw's
            }
        }
        Assert.Null(SpiShardMap.EspSpiInClass(5, Shards, 0)); // 0..255 are reserved
        Assert.Equal(Shards - 1u, SpiShardMap.EspSpiClassOf(uint.MaxValue, Shards)); // the last range takes the rest
    }

    [Fact]
    public void A_session_draws_its_child_sa_spis_in_its_shard_range()
    {
        var node = NodeServices();
        for (int shard = 0; shard < Shards; shard++)
        {
            var session = new SessionResponderServices(node, SessionSpiIn(shard), Map);
            for (int i = 0; i < 20; i++)
                Assert.Equal((uint)shard, SpiShardMap.EspSpiClassOf(session.AllocateEspSpi(), Shards));
        }
    }

    [Fact]
    public void Three_nodes_never_draw_the_same_spi_before_or_after_a_node_dies()
    {
        // Shards spread over three nodes (node = shard % 3), as the coordinator would; each node's own SPI table.
        var nodes = new[] { NodeServices(), NodeServices(), NodeServices() };
        int owner(int shard, bool nodeZeroDead) => nodeZeroDead && shard % 3 == 0 ? 1 + shard / 3 % 2 : shard % 3;
        var inUse = new List<(int Shard, uint Spi)>();

        void Draw(bool nodeZeroDead, int perShard)
        {
            var drawnBy = new List<(int Node, uint Spi)>();
            for (int shard = 0; shard < Shards; shard++)
            {
                int node = owner(shard, nodeZeroDead);
                var session = new SessionResponderServices(nodes[node], SessionSpiIn(shard), Map);
                for (int i = 0; i < perShard; i++)
                {
                    uint spi = session.AllocateEspSpi();
                    inUse.Add((shard, spi));
                    drawnBy.Add((node, spi));
                }
            }
            // Why no two nodes can collide, whatever the randomness: a range is drawn in by one node only.
            Assert.All(drawnBy.GroupBy(d => SpiShardMap.EspSpiClassOf(d.Spi, Shards)), c => Assert.Single(c.Select(d => d.Node).Distinct()));
        }

        Draw(nodeZeroDead: false, perShard: 400);
        // Node 0 is killed: its shards move to nodes 1 and 2, whose restored sessions reclaim their SPIs (Restore does).
        nodes[0] = null!;
        foreach (var (shard, spi) in inUse.Where(s => s.Shard % 3 == 0))
            nodes[owner(shard, nodeZeroDead: true)].ReclaimEspSpi(spi);
        Draw(nodeZeroDead: true, perShard: 400);

        Assert.Equal(inUse.Count, inUse.Select(s => s.Spi).Distinct().Count());
        Assert.All(inUse, s => Assert.Equal((uint)s.Shard, SpiShardMap.EspSpiClassOf(s.Spi, Shards)));
    }
}
