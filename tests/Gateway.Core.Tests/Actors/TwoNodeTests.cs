using Gateway.Core.Routing;
using Akka.Actor;
using Akka.Cluster;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// Two nodes in one process: any node routes any SPI (messages cross nodes through the session command serializer),
/// and once a node knows which shards it hosts it draws new SPIs inside them.
/// </summary>
public sealed class TwoNodeTests : GatewayActorTest
{
    private readonly ActorSystem _second;

    public TwoNodeTests(ITestOutputHelper output) : base(output)
    {
        _second = ActorSystem.Create(Sys.Name, Sys.Settings.Config);
        Cluster.Get(_second).Join(Cluster.Get(Sys).SelfAddress);
        AwaitAssert(() => Assert.Equal(2, Cluster.Get(Sys).State.Members.Count(m => m.Status == MemberStatus.Up)), Patience);
    }

    protected override void AfterAll()
    {
        _second.Terminate().Wait(Patience);
        base.AfterAll();
    }

    private static readonly GatewayCoreOptions FastRefresh = GatewayCoreOptions.Default with
    {
        LocalShardRefresh = TimeSpan.FromMilliseconds(100),
    };

    private GatewayCoreHandle StartSecond(InMemoryGatewayMetrics metrics) =>
        GatewayCore.Start(_second, TestPolicy.Dummy(), new ProbeTransport(Wire.Ref), DataPlane, new FakeResponderServices(),
            Factory.Create, FastRefresh with { Metrics = metrics });

    [Fact]
    public async Task Any_node_routes_any_spi_and_new_SAs_land_on_the_receiving_node()
    {
        var first = StartCore(options: FastRefresh);
        var secondMetrics = new InMemoryGatewayMetrics();
        var second = StartSecond(secondMetrics);

        // Open SAs from both nodes until shards are spread over both.
        var opened = new List<ulong>();
        for (int i = 0; i < 12; i++)
        {
            var ingress = i % 2 == 0 ? first.Ingress : second.Ingress;
            ingress.Receive(IkeMessages.Init(IkeMessages.Client(1), (ulong)(0x100 + i)));
            opened.Add(Machines.ExpectMsg<MachineSaw>(Patience).Spi);
            Wire.ExpectMsg<Sent>(Patience);
        }

        // Every SA answers through either node's ingress.
        foreach (var spi in opened)
            foreach (var ingress in new[] { first.Ingress, second.Ingress })
            {
                ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 1, spi, messageId: 1));
                ExpectInput<MessageReceived>(spi);
                Assert.Equal(spi, IkeMessages.HeaderOf(Wire.ExpectMsg<Sent>(Patience).Datagram).ResponderSpi);
            }
        Assert.Equal(opened.Count, Factory.Created.Count);

        // Both nodes host shards now, and each draws new SPIs in its own.
        AwaitAssert(() =>
        {
            Assert.NotEmpty(first.LocalShards.Current);
            Assert.NotEmpty(second.LocalShards.Current);
        }, Patience);
        foreach (var (node, client) in new[] { (first, 20), (second, 21) })
        {
            node.Ingress.Receive(IkeMessages.Init(IkeMessages.Client(client), 0x999));
            var spi = Machines.ExpectMsg<MachineSaw>(Patience).Spi;
            Wire.ExpectMsg<Sent>(Patience);
            Assert.Contains(SpiShardMap.SessionOf(spi), await node.Sessions.ListLocalAsync(Patience));
        }

        Assert.Equal(0, Metrics.Drops(DropReason.UnknownSpi) + secondMetrics.Drops(DropReason.UnknownSpi));
    }
}
