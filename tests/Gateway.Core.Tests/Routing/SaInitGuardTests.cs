using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Gateway.Core.Metrics;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Core.Tests.Actors;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.Tests.Routing;

/// <summary>The ingress with its guard, over a recording transport; no actor system (what proceeds goes to Nobody).</summary>
public sealed class SaInitGuardTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("198.51.100.1"), 500);
    private static readonly GatewayIdentity Peer = GatewayIdentity.FromFqdn("vpn2.example.com");
    private static readonly byte[] Ni = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryGatewayMetrics _metrics = new();
    private readonly RecordingTransport _wire = new();
    private HalfOpenGate _gate = null!;

    private sealed class RecordingTransport : IIkeTransport
    {
        public ConcurrentQueue<IkeDatagram> Sent { get; } = new();
        public void Send(IkeDatagram datagram) => Sent.Enqueue(datagram);
    }

    private sealed class CountingSpis : IResponderSpiSource
    {
        private ulong _next = 0x1000;
        public ulong Next() => Interlocked.Increment(ref _next);
    }

    private IkeIngress Ingress(int threshold = 500, double? rate = null, int burst = 20,
        Func<IPEndPoint, GatewayIdentity?>? redirect = null, IActorRef? region = null)
    {
        _gate = new HalfOpenGate(100, TimeSpan.FromSeconds(30), _clock, new CountingSpis(), _metrics);
        var limiter = rate is { } r ? new SourceRateLimiter(65536, r, burst, _clock) : null;
        var cookies = new StatelessCookies(new CookieSecrets(_clock, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)));
        return new IkeIngress(region ?? ActorRefs.Nobody, _gate, _metrics,
            new SaInitGuard(_gate, threshold, limiter, cookies, redirect, _wire, _metrics));
    }

    private static IPEndPoint Client(int n) => new(IPAddress.Parse($"192.0.2.{n}"), 500);

    private static IkeDatagram Init(int client, ulong spi, byte[]? cookie = null, bool redirectSupported = false, bool redirectedFrom = false) =>
        new(SaInitMessages.Request(spi, Ni, cookie, redirectSupported, redirectedFrom), Local, Client(client));

    private IkeMessage SingleAnswer()
    {
        Assert.True(_wire.Sent.TryDequeue(out var sent));
        Assert.Empty(_wire.Sent);
        Assert.Equal(Local, sent.Local);
        var message = IkeMessage.Parse(sent.Message.Span).Value!;
        Assert.True(message.Header.IsResponse);
        Assert.Equal(0UL, message.Header.ResponderSpi);
        return message;
    }

    private byte[] CookieOf(IkeMessage answer) =>
        Assert.IsType<NotifyPayload>(Assert.Single(answer.Payloads)) is { NotifyType: NotifyType.Cookie } n ? n.Data.ToArray() : throw new Xunit.Sdk.XunitException("no cookie");

    [Fact]
    public void Under_the_threshold_and_rate_requests_proceed_without_a_cookie()
    {
        var ingress = Ingress(threshold: 500, rate: 5);
        ingress.Receive(Init(1, 0x11));
        Assert.Equal(1, _gate.Count);
        Assert.Empty(_wire.Sent);
        Assert.Equal(0, _metrics.CookiesSent);
    }

    [Fact]
    public void When_cookies_are_demanded_the_answer_is_N_COOKIE_only_and_the_retry_with_it_proceeds()
    {
        var ingress = Ingress(threshold: 0);
        ingress.Receive(Init(1, 0x21));

        var cookie = CookieOf(SingleAnswer());
        Assert.Equal(0, _gate.Count); // nothing kept
        Assert.Equal(1, _metrics.CookiesSent);

        ingress.Receive(Init(1, 0x21, cookie));
        Assert.Equal(1, _gate.Count);
        Assert.Empty(_wire.Sent);
        Assert.Equal(1, _metrics.CookiesValidated);

        // The same cookie from another address, or for another SPI, is worthless.
        ingress.Receive(Init(2, 0x21, cookie));
        ingress.Receive(Init(1, 0x22, cookie));
        Assert.Equal(2, _metrics.CookiesInvalid);
        Assert.Equal(1, _gate.Count);
        Assert.Equal(2, _wire.Sent.Count); // each got a fresh cookie
    }

    [Fact]
    public void Cookies_start_when_the_half_open_count_reaches_the_threshold()
    {
        var ingress = Ingress(threshold: 2);
        ingress.Receive(Init(1, 0x31));
        ingress.Receive(Init(2, 0x32));
        Assert.Equal(2, _gate.Count);

        ingress.Receive(Init(3, 0x33));
        var cookie = CookieOf(SingleAnswer());
        ingress.Receive(Init(3, 0x33, cookie));
        Assert.Equal(3, _gate.Count);
    }

    [Fact]
    public void A_source_above_its_rate_must_answer_a_cookie_while_other_sources_proceed()
    {
        var ingress = Ingress(threshold: int.MaxValue, rate: 1, burst: 2);
        ingress.Receive(Init(1, 0x41));
        ingress.Receive(Init(1, 0x42));
        ingress.Receive(Init(1, 0x43));

        var cookie = CookieOf(SingleAnswer());
        Assert.Equal(2, _gate.Count);
        ingress.Receive(Init(2, 0x44));
        Assert.Equal(3, _gate.Count);
        // A valid cookie proves the address: no token needed.
        ingress.Receive(Init(1, 0x43, cookie));
        Assert.Equal(4, _gate.Count);
    }

    [Fact]
    public void A_retransmission_to_a_half_open_SA_reaches_it_even_when_cookies_are_due_now()
    {
        // Under load the first copy opened an SA whose response is still being computed; meanwhile the half-open count
        // (or the source's rate) crossed the cookie threshold. A cookie for the retransmission would make the client
        // send a second, different IKE_SA_INIT and then key with our response to the first: its AUTH octets would
        // cover the other request and its AUTH after EAP would fail.
        using var kit = new Akka.TestKit.Xunit2.TestKit();
        var ingress = Ingress(threshold: 1, region: kit.TestActor);
        var first = Init(1, 0x71);
        ingress.Receive(first);
        var opened = kit.ExpectMsg<OpenIkeSa>();
        Assert.Equal(1, _gate.Count);

        ingress.Receive(Init(1, 0x71));
        var again = kit.ExpectMsg<OpenIkeSa>();
        Assert.Equal(opened.LocalSpi, again.LocalSpi);
        Assert.Equal(first.Message.ToArray(), again.Datagram.Message.ToArray());
        Assert.Empty(_wire.Sent);
        Assert.Equal(0, _metrics.CookiesSent);
        Assert.Equal(1, _gate.Count);

        // Another SPI from the same address is a new request: it must earn a cookie first.
        ingress.Receive(Init(1, 0x72));
        CookieOf(SingleAnswer());
        Assert.Equal(1, _gate.Count);
    }

    [Fact]
    public void An_invalid_cookie_when_none_is_demanded_is_counted_and_served_as_without()
    {
        var ingress = Ingress(threshold: 500);
        ingress.Receive(Init(1, 0x51, cookie: new byte[StatelessCookies.CookieLength]));
        Assert.Equal(1, _metrics.CookiesInvalid);
        Assert.Equal(1, _gate.Count);
        Assert.Empty(_wire.Sent);
    }

    [Fact]
    public void The_redirect_policy_answers_N_REDIRECT_with_Ni_to_peers_that_support_it_and_serves_the_others()
    {
        var ingress = Ingress(redirect: client => client.Address.Equals(IPAddress.Parse("192.0.2.9")) ? null : Peer);

        ingress.Receive(Init(1, 0x61, redirectSupported: true));
        var notify = Assert.IsType<NotifyPayload>(Assert.Single(SingleAnswer().Payloads));
        Assert.True(notify.TryGetRedirect(out var gateway, out var nonce));
        Assert.Equal(GatewayIdentityType.Fqdn, gateway.Type);
        Assert.Equal("vpn2.example.com", gateway.ToString());
        Assert.Equal(Ni, nonce.ToArray());
        Assert.Equal(0, _gate.Count);
        Assert.Equal(1, _metrics.SaInitRedirects);

        ingress.Receive(Init(2, 0x62)); // no REDIRECT_SUPPORTED
        ingress.Receive(Init(3, 0x63, redirectedFrom: true)); // already redirected once: never bounced again
        ingress.Receive(Init(9, 0x64, redirectSupported: true)); // the policy keeps this one
        Assert.Equal(3, _gate.Count);
        Assert.Empty(_wire.Sent);
    }

    [Fact]
    public void A_request_whose_payload_chain_does_not_frame_is_dropped_before_any_state()
    {
        var ingress = Ingress();
        var bytes = SaInitMessages.Request(0x71, Ni);
        bytes[IkeLimits.HeaderLength + 2] = 0xff;
        ingress.Receive(new IkeDatagram(bytes, Local, Client(1)));
        Assert.Equal(1, _metrics.Drops(DropReason.Malformed));
        Assert.Equal(0, _gate.Count);
        Assert.Empty(_wire.Sent);
    }
}
