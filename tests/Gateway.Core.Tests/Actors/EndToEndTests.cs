using Gateway.Core.Routing;
using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// The real responder machine behind the real routing: a test initiator's datagrams enter through the ingress, cross
/// the sharding region to the session entity and its IKE SA actor, and the answers leave through the transport.
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private static readonly IPEndPoint ClientEndpoint = new(IPAddress.Parse("192.0.2.10"), 500);
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 500);

    /// <summary>Sends through the ingress and collects the one answer the transport saw (the machine's events stay inside).</summary>
    private IkeSaStep ThroughIngress(IkeDatagram datagram, DateTime now)
    {
        Ingress.Receive(datagram);
        var sent = Wire.ExpectMsg<Sent>(Patience).Datagram;
        Assert.Equal(datagram.Remote, sent.Remote);
        Assert.Equal(datagram.Local, sent.Local);
        return new IkeSaStep([sent], [], [], false);
    }

    [Fact]
    public void A_psk_client_completes_its_handshake_through_ingress_sharding_and_actors()
    {
        var gateway = new TestGateway();
        StartRealCore(gateway.Policy, gateway.Services);
        using var client = new TestInitiator(ThroughIngress, ClientEndpoint, GatewayEndpoint);

        client.SaInit("aes256-sha256-modp2048");
        Assert.NotNull(client.Keys);
        Assert.Equal(1, Metrics.HalfOpen);
        // A retransmitted IKE_SA_INIT reaches the same SA, which answers from its cache.
        var again = ThroughIngress(new IkeDatagram(client.InitRequest, GatewayEndpoint, ClientEndpoint), DateTime.UtcNow);
        Assert.Equal(client.InitResponse, again.Send[0].Message.ToArray());

        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, TestInitiator.AddressRequest()));
        Assert.NotNull(round.Find<AuthenticationPayload>());
        Assert.NotNull(round.Find<ConfigurationPayload>());

        AwaitAssert(() => Assert.Contains(DataPlane.Installed.Values, sa => sa.OutboundSpi == 0xC0FFEE01), Patience);
        var installed = DataPlane.Installed.Values.Single();
        Assert.Equal(ClientEndpoint, installed.Remote);
        Assert.NotEmpty(installed.RemoteInnerAddresses);
        AwaitAssert(() => Assert.Equal(1, Metrics.Established), Patience);
        Assert.Equal(0, Metrics.HalfOpen);
        Assert.Contains(SpiShardMap.SessionOf(client.SpiR), LocalSessions());

        // The client deletes the IKE SA: answered, then the session ends and its child SA leaves the data plane.
        var delete = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
        Assert.NotNull(delete.Response);
        AwaitAssert(() => Assert.Empty(DataPlane.Installed), Patience);
        AwaitAssert(() => Assert.DoesNotContain(SpiShardMap.SessionOf(client.SpiR), LocalSessions()), Patience);
        AwaitAssert(() => Assert.Equal(0, Metrics.Established), Patience);
        Assert.Equal(0, Metrics.IkeSaFaults);
    }

    [Fact]
    public void Garbage_and_unsolicited_messages_for_a_live_SA_are_dropped_by_the_machine_and_counted()
    {
        var gateway = new TestGateway();
        StartRealCore(gateway.Policy, gateway.Services);
        using var client = new TestInitiator(ThroughIngress, ClientEndpoint, GatewayEndpoint);
        client.SaInit("aes256-sha256-modp2048");

        // A response we never asked for, sealed with the right keys: routed to the SA, which discards it.
        Ingress.Receive(new IkeDatagram(client.Seal(ExchangeType.Informational, 5, [], response: true), GatewayEndpoint, ClientEndpoint));
        AwaitAssert(() => Assert.Equal(1, Metrics.Drops(DropReason.Unexpected)), Patience);
        Wire.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, Metrics.IkeSaFaults);
    }
}
