using System.Net;
using System.Net.Sockets;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// Cookies, INITIAL_CONTACT and redirect with the real responder behind the real routing: test initiators talk to the
/// ingress and read what the transport sent.
/// </summary>
public sealed class DosEndToEndTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private const string Proposal = "aes128gcm16-prfsha256-x25519";
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 500);
    private static readonly GatewayIdentity Peer = GatewayIdentity.FromAddress(IPAddress.Parse("203.0.113.7"));

    private static IPEndPoint ClientEndpoint(int n) => new(IPAddress.Parse($"192.0.2.{n}"), 500);

    private IkeSaStep ThroughIngress(IkeDatagram datagram, DateTime now)
    {
        Ingress.Receive(datagram);
        var sent = Wire.ExpectMsg<Sent>(Patience).Datagram;
        Assert.Equal(datagram.Remote, sent.Remote);
        return new IkeSaStep([sent], [], [], false);
    }

    private TestInitiator Client(int n, bool redirectSupport = false, bool initialContact = true) =>
        new(ThroughIngress, ClientEndpoint(n), GatewayEndpoint) { AnnounceRedirectSupport = redirectSupport, SendInitialContact = initialContact };

    private static uint ChildSpi(int n) => 0xC0FFEE00u + (uint)n;

    private void Connect(TestInitiator client, int n)
    {
        client.SaInit(Proposal);
        Assert.NotNull(client.Keys);
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256gcm16", ChildSpi(n), TestInitiator.AddressRequest(v6: false)));
        Assert.NotNull(round.Find<AuthenticationPayload>());
        AwaitAssert(() => Assert.Contains(DataPlane.Installed.Values, sa => sa.OutboundSpi == ChildSpi(n)), Patience);
    }

    /// <summary>The operator command by session id (TestKit assertions are synchronous, so this blocks, like LocalSessions).</summary>
    private RedirectOutcome Redirect(ulong sessionId) => Core.Sessions.RedirectAsync(sessionId, Peer, Patience).GetAwaiter().GetResult();

    private static ulong SessionOf(TestInitiator client) => SpiShardMap.SessionOf(client.SpiR);

    private GatewayCoreHandle Start(GatewayCoreOptions options)
    {
        var gateway = new TestGateway();
        return StartRealCore(gateway.Policy, gateway.Services, options);
    }

    [Fact]
    public void Under_cookie_demand_a_client_retries_with_the_cookie_and_completes()
    {
        Start(GatewayCoreOptions.Default with { CookieThreshold = 0 });
        using var client = Client(1);

        Connect(client, 1);

        Assert.Equal(1, client.CookiesReceived);
        Assert.Equal(1, Metrics.CookiesSent);
        Assert.Equal(1, Metrics.CookiesValidated);
        Assert.Equal(0, Metrics.CookiesInvalid);
        AwaitAssert(() => Assert.Equal(1, Metrics.Established), Patience);
    }

    [Fact]
    public void INITIAL_CONTACT_deletes_the_identitys_older_SAs_on_this_node_without_telling_them()
    {
        Start(GatewayCoreOptions.Default);
        using var first = Client(1);
        using var second = Client(2, initialContact: false);
        using var third = Client(3);
        Connect(first, 1);
        Connect(second, 2); // no INITIAL_CONTACT: both SAs stay
        AwaitAssert(() => Assert.Equal(2, Metrics.Established), Patience);
        Assert.Equal(0, Metrics.InitialContactReplacements);

        Connect(third, 3);

        AwaitAssert(() => Assert.Equal([ChildSpi(3)], DataPlane.Installed.Values.Select(sa => sa.OutboundSpi)), Patience);
        AwaitAssert(() => Assert.Equal([SessionOf(third)], LocalSessions()), Patience);
        AwaitAssert(() => Assert.Equal(1, Metrics.Established), Patience);
        Assert.Equal(2, Metrics.InitialContactReplacements);
        // Silent: the old peers lost their state, so no Delete was sent to them.
        Wire.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_draining_node_redirects_new_clients_that_support_redirect_and_serves_the_others()
    {
        Start(GatewayCoreOptions.Default with { RedirectPolicy = RedirectPolicies.Everyone(Peer) });
        using var redirected = Client(1, redirectSupport: true);
        using var legacy = Client(2);

        var (_, response) = redirected.SaInit(Proposal);

        Assert.Null(redirected.Keys);
        var notify = response!.FindNotify(NotifyType.Redirect);
        Assert.NotNull(notify);
        Assert.True(notify.TryGetRedirect(out var gateway, out var nonce));
        Assert.Equal(GatewayIdentityType.Ipv4Address, gateway.Type);
        Assert.Equal("203.0.113.7", gateway.ToString());
        Assert.Equal(redirected.Ni, nonce.ToArray());
        Assert.Empty(LocalSessions());
        Assert.Equal(0, Core.HalfOpen.Count);

        Connect(legacy, 2);
        Assert.Equal(1, Metrics.SaInitRedirects);
    }

    [Fact]
    public void An_operator_redirect_sends_N_REDIRECT_and_the_SA_goes_when_the_client_deletes_it()
    {
        Start(GatewayCoreOptions.Default);
        using var client = Client(1, redirectSupport: true);
        Connect(client, 1);

        var outcome = Redirect(SessionOf(client));

        Assert.Equal(RedirectOutcome.Sent, outcome);
        var request = Wire.ExpectMsg<Sent>(Patience).Datagram;
        var (header, payloads) = client.Open(request.Message);
        Assert.False(header.IsResponse);
        Assert.Equal(ExchangeType.Informational, header.ExchangeType);
        var notify = Assert.IsType<NotifyPayload>(Assert.Single(payloads));
        Assert.True(notify.TryGetRedirect(out var gateway, out var nonce));
        Assert.Equal(Peer.Value.ToArray(), gateway.Value.ToArray());
        Assert.True(nonce.IsEmpty); // no nonce in an established SA (RFC 5685 §5)
        Assert.Equal(1, Metrics.IkeSaRedirects);

        // The client acknowledges, connects elsewhere, then deletes this SA.
        Ingress.Receive(new IkeDatagram(client.Seal(ExchangeType.Informational, header.MessageId, [], response: true), GatewayEndpoint, client.Client));
        var delete = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
        Assert.NotNull(delete.Response);
        AwaitAssert(() => Assert.Empty(LocalSessions()), Patience);
        Assert.Empty(DataPlane.Installed);
    }

    [Fact]
    public void A_redirected_client_that_does_not_move_is_deleted_after_the_redirect_timeout()
    {
        Start(GatewayCoreOptions.Default with { RedirectTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = Client(1, redirectSupport: true);
        Connect(client, 1);

        Assert.Equal(RedirectOutcome.Sent, Redirect(SessionOf(client)));
        Wire.ExpectMsg<Sent>(Patience); // the redirect

        var (header, payloads) = client.Open(Wire.ExpectMsg<Sent>(Patience).Datagram.Message);
        Assert.Equal(ExchangeType.Informational, header.ExchangeType);
        Assert.Equal(ProtocolId.Ike, Assert.IsType<DeletePayload>(Assert.Single(payloads)).Protocol);
        AwaitAssert(() => Assert.Empty(LocalSessions()), Patience);
        Assert.Empty(DataPlane.Installed);
    }

    [Fact]
    public void An_operator_redirect_is_refused_for_peers_without_redirect_support_and_for_unknown_SAs()
    {
        Start(GatewayCoreOptions.Default);
        using var client = Client(1);
        Connect(client, 1);

        Assert.Equal(RedirectOutcome.PeerLacksRedirectSupport,
            Redirect(SessionOf(client)));
        Assert.Equal(RedirectOutcome.UnknownSession,
            Redirect(0x0123456789ab));
        Wire.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Contains(SessionOf(client), LocalSessions());
    }

    [Fact]
    public void Established_sessions_are_listed_with_identity_outer_address_virtual_IPs_and_redirect_support()
    {
        Start(GatewayCoreOptions.Default);
        using var modern = Client(1, redirectSupport: true);
        using var legacy = Client(2, initialContact: false); // keeps the first session of the same identity
        Connect(modern, 1);
        Connect(legacy, 2);

        AwaitAssert(() => Assert.Equal(2, Core.Sessions.ListEstablished().Count), Patience);
        var list = Core.Sessions.ListEstablished();
        var first = Assert.Single(list, s => s.SessionId == SessionOf(modern));
        Assert.Equal(TestGateway.PskIdentity, first.Identity);
        Assert.Equal(ClientEndpoint(1), first.Remote);
        Assert.Equal(AddressFamily.InterNetwork, Assert.Single(first.VirtualAddresses).AddressFamily);
        Assert.True(first.PeerSupportsRedirect);
        var second = Assert.Single(list, s => s.SessionId == SessionOf(legacy));
        Assert.False(second.PeerSupportsRedirect);

        // A session that ends leaves the listing.
        Core.Sessions.Terminate(SessionOf(legacy), "test");
        AwaitAssert(() => Assert.Equal([SessionOf(modern)], Core.Sessions.ListEstablished().Select(s => s.SessionId)), Patience);
    }
}
