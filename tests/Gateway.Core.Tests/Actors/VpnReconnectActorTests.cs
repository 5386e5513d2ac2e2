using System.Net;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// Rekeying, MOBIKE and liveness through the whole stack: a test initiator's datagrams enter through the ingress,
/// reach the real machine via sharding and the actors, and the data plane (recording fake) sees what the actors do.
/// </summary>
public sealed class VpnReconnectActorTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private const uint FirstChildSpi = 0xC0FFEE01;
    private static readonly IPEndPoint ClientEndpoint = new(IPAddress.Parse("192.0.2.10"), 4500);
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 4500);

    /// <summary>
    /// Delivers through the ingress and collects what the gateway sent: a request gets at least its response (and
    /// whatever follows at once, e.g. our next request); a response may cause requests of ours, or nothing.
    /// </summary>
    private IkeSaStep ThroughIngress(IkeDatagram datagram, DateTime now)
    {
        Ingress.Receive(datagram);
        var sent = new List<IkeDatagram>();
        if (!IkeMessages.HeaderOf(datagram).IsResponse)
            sent.Add(Wire.ExpectMsg<Sent>(Patience).Datagram);
        sent.AddRange(Wire.ReceiveWhile(TimeSpan.FromMilliseconds(500), o => o as Sent).Select(s => s!.Datagram));
        return new IkeSaStep(sent, [], [], false);
    }

    private TestInitiator Connect(GatewayCoreOptions? options = null)
    {
        var gateway = new TestGateway();
        StartRealCore(gateway.Policy, gateway.Services, options);
        var client = new TestInitiator(ThroughIngress, ClientEndpoint, GatewayEndpoint);
        client.SaInit("aes256-sha256-modp2048");
        var auth = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", FirstChildSpi, TestInitiator.AddressRequest(v6: false)));
        Assert.NotNull(auth.Find<AuthenticationPayload>());
        AwaitAssert(() => Assert.Contains(DataPlane.Installed.Values, sa => sa.OutboundSpi == FirstChildSpi), Patience);
        return client;
    }

    private uint InboundSpiOf(uint outboundSpi) => DataPlane.Installed.Values.Single(sa => sa.OutboundSpi == outboundSpi).InboundSpi;

    [Fact]
    public void A_child_rekey_installs_the_new_SA_and_removes_the_old_one_only_when_it_is_deleted()
    {
        using var client = Connect();
        uint oldInbound = InboundSpiOf(FirstChildSpi);

        var (round, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xC0FFEE02, FirstChildSpi));
        Assert.NotNull(keys);
        AwaitAssert(() => Assert.Contains(DataPlane.Installed.Values, sa => sa.OutboundSpi == 0xC0FFEE02), Patience);
        uint newInbound = InboundSpiOf(0xC0FFEE02);
        // Make-before-break: both installed (the new outbound now carries the inner addresses), nothing removed yet.
        Assert.Equal(2, DataPlane.Installed.Count);
        Assert.Empty(DataPlane.Removed);
        AwaitAssert(() => Assert.Equal(1, Metrics.ChildRekeys), Patience);

        var delete = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [FirstChildSpi])]);
        Assert.Equal([oldInbound], delete.Find<DeletePayload>()!.Spis);
        AwaitAssert(() => Assert.Equal([oldInbound], DataPlane.Removed), Patience);
        Assert.Equal([$"install:{oldInbound:x8}", $"install:{newInbound:x8}", $"remove:{oldInbound:x8}"], DataPlane.Log);
        Assert.Equal(newInbound, Assert.Single(DataPlane.Installed).Key);
        Assert.Equal(0, Metrics.IkeSaFaults + Metrics.ChildSaFaults);
    }

    [Fact]
    public void After_the_peer_rekeys_the_IKE_SA_its_new_SPI_routes_to_the_same_session_and_later_messages_work()
    {
        using var client = Connect();
        ulong oldSpi = client.SpiR;

        var (round, old, _) = client.RekeyIkeSa("aes256-sha256-modp2048");
        Assert.NotNull(old);
        Assert.NotEqual(oldSpi, client.SpiR);
        Assert.Equal(SpiShardMap.SessionOf(oldSpi), SpiShardMap.SessionOf(client.SpiR));
        AwaitAssert(() => Assert.Equal(1, Metrics.IkeRekeys), Patience);

        // The old SA's Delete (on the old SA, by its old SPI), then traffic on the new one, by the new SPI.
        var current = client.Use(old!);
        Assert.NotNull(client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]).Response);
        client.Use(current);
        Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
        var (childRound, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xC0FFEE02, FirstChildSpi));
        Assert.NotNull(keys);
        AwaitAssert(() => Assert.Contains(DataPlane.Installed.Values, sa => sa.OutboundSpi == 0xC0FFEE02), Patience);

        Assert.Equal([SpiShardMap.SessionOf(oldSpi)], LocalSessions());
        Assert.Equal(0, Metrics.Drops(Gateway.Core.Metrics.DropReason.UnknownSpi));
        Assert.Equal(1, Metrics.Established);
    }

    [Fact]
    public void After_we_rekey_the_IKE_SA_the_peers_messages_without_the_I_flag_route_by_our_initiator_SPI()
    {
        var options = GatewayCoreOptions.Default with
        {
            Responder = ResponderOptions.Default with { Rekey = new RekeyOptions { IkeSaLifetime = TimeSpan.FromSeconds(2), Jitter = 0 } },
        };
        using var client = Connect(options);
        ulong oldSpi = client.SpiR;

        var rekey = Wire.ExpectMsg<Sent>(Patience).Datagram;
        var (answered, old) = client.AnswerIkeRekey(rekey, 0x5555_6666_7777_8888);
        Assert.False(client.WeAreOriginalInitiator);
        Assert.Equal(SpiShardMap.SessionOf(oldSpi), SpiShardMap.SessionOf(client.SpiI)); // the gateway's new SPI

        // The gateway deletes the old SA; the client answers on it.
        var deleteOld = Assert.Single(answered.Send);
        var current = client.Use(old);
        client.Answer(deleteOld, (_, payloads) => []);
        client.Use(current);

        // The client's request on the new SA has the I flag clear: routed by the initiator SPI, which is ours.
        var ping = client.Request(ExchangeType.Informational, []);
        Assert.NotNull(ping.Response);
        Assert.Equal(0, Metrics.Drops(Gateway.Core.Metrics.DropReason.UnknownSpi));
    }

    [Fact]
    public void A_MOBIKE_address_update_moves_every_child_SA_in_the_data_plane_after_the_return_routability_check()
    {
        using var client = Connect();
        client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xC0FFEE02, rekeySpi: null));
        AwaitAssert(() => Assert.Equal(2, DataPlane.Installed.Count), Patience);
        var children = DataPlane.Installed.Keys.Order().ToList();

        var moved = new IPEndPoint(IPAddress.Parse("203.0.113.77"), 4500);
        var update = client.UpdateSaAddresses(moved);
        Assert.NotNull(update.Response);
        AwaitAssert(() => Assert.Equal(1, Metrics.PeerMoves), Patience);
        var (check, checkPayloads, datagram) = Assert.Single(client.GatewayRequests(update.Step));
        Assert.Equal(moved, datagram.Remote);
        Assert.Empty(DataPlane.Updates); // traffic waits for the return-routability answer

        var cookie = checkPayloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Cookie2);
        client.Answer(check, [NotifyPayload.Create(NotifyType.Cookie2, cookie.Data.ToArray())]);
        AwaitAssert(() => Assert.Equal(2, DataPlane.Updates.Count), Patience);
        Assert.Equal(children, DataPlane.Updates.Select(u => u.InboundSpi).Order());
        Assert.All(DataPlane.Updates, u =>
        {
            Assert.Equal(moved, u.Remote);
            Assert.Equal(GatewayEndpoint, u.Local);
            Assert.True(u.UdpEncapsulated);
        });
        Assert.Equal(0, Metrics.PeerMovesRefused);
    }

    [Fact]
    public void An_idle_peer_is_probed_through_the_transport_but_not_while_the_data_plane_sees_its_ESP()
    {
        // The machines' clock is the test's; the liveness timer itself runs on the scheduler, every second.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var options = GatewayCoreOptions.Default with
        {
            Clock = clock,
            Responder = ResponderOptions.Default with { LivenessInterval = TimeSpan.FromSeconds(1) },
        };
        using var client = Connect(options);
        uint child = InboundSpiOf(FirstChildSpi);

        // Time passes, but ESP keeps arriving: the actor feeds that to the machine before its liveness timer.
        clock.Advance(TimeSpan.FromMinutes(1));
        DataPlane.Counters[child] = new Gateway.Core.DataPlane.ChildSaCounters(1, 100, 1, 100, 0, 0, clock.GetUtcNow().UtcDateTime);
        Wire.ExpectNoMsg(TimeSpan.FromSeconds(2.5));

        // Then the peer goes quiet: the next liveness timer sends an empty INFORMATIONAL request.
        clock.Advance(TimeSpan.FromMinutes(1));
        var probe = Wire.ExpectMsg<Sent>(Patience).Datagram;
        var (header, payloads) = client.Open(probe.Message);
        Assert.Equal(ExchangeType.Informational, header.ExchangeType);
        Assert.False(header.IsResponse);
        Assert.False(header.IsInitiator);
        Assert.Equal(client.SpiR, header.ResponderSpi);
        Assert.Empty(payloads);
        Assert.Equal(ClientEndpoint, probe.Remote);

        // Answered: nothing else happens (no retransmission, no state change).
        client.Answer(header, []);
        Assert.Equal(0, Metrics.LivenessChanges(LivenessState.Dormant));
    }
}
