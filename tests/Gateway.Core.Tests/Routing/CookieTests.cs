using System.Net;
using Gateway.Core.Routing;
using Gateway.Core.Tests.Actors;
using Gateway.Ike;

namespace Gateway.Core.Tests.Routing;

public sealed class CookieTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("2001:db8::2");
    private static readonly byte[] Ni = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private StatelessCookies Cookies(TimeSpan? rotation = null, TimeSpan? grace = null) =>
        new(new CookieSecrets(_clock, rotation ?? TimeSpan.FromMinutes(5), grace ?? TimeSpan.FromSeconds(60)));

    private static byte[] Make(StatelessCookies cookies, ReadOnlySpan<byte> ni, IPAddress address, ulong spi)
    {
        var cookie = new byte[StatelessCookies.CookieLength];
        cookies.Create(ni, address, spi, cookie);
        return cookie;
    }

    [Fact]
    public void A_cookie_is_valid_only_for_its_nonce_address_and_spi()
    {
        var cookies = Cookies();
        var cookie = Make(cookies, Ni, A, 42);

        Assert.True(cookies.IsValid(cookie, Ni, A, 42));
        Assert.False(cookies.IsValid(cookie, Ni, A, 43));
        Assert.False(cookies.IsValid(cookie, Ni, B, 42));
        Assert.False(cookies.IsValid(cookie, Ni.Reverse().ToArray(), A, 42));
        var tampered = (byte[])cookie.Clone();
        tampered[^1] ^= 1;
        Assert.False(cookies.IsValid(tampered, Ni, A, 42));
        Assert.False(cookies.IsValid(cookie.AsSpan(0, 10), Ni, A, 42));
        // Another node (another secret) does not accept it.
        Assert.False(Cookies().IsValid(cookie, Ni, A, 42));
    }

    [Fact]
    public void After_a_rotation_the_previous_secret_is_accepted_for_the_grace_period_only()
    {
        var cookies = Cookies(rotation: TimeSpan.FromMinutes(5), grace: TimeSpan.FromSeconds(60));
        var old = Make(cookies, Ni, A, 1);

        _clock.Advance(TimeSpan.FromMinutes(5));
        var fresh = Make(cookies, Ni, A, 1);
        Assert.NotEqual(old[0], fresh[0]); // a new <VersionIDofSecret>
        Assert.True(cookies.IsValid(old, Ni, A, 1));
        Assert.True(cookies.IsValid(fresh, Ni, A, 1));

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(cookies.IsValid(old, Ni, A, 1));
        Assert.True(cookies.IsValid(fresh, Ni, A, 1));

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(cookies.IsValid(fresh, Ni, A, 1));
    }

    [Fact]
    public void The_cookie_answer_is_an_IkeSaInit_response_with_only_N_COOKIE()
    {
        var cookies = Cookies();
        var bytes = cookies.Response(0x1122334455667788, Ni, A);

        var message = IkeMessage.Parse(bytes).Value!;
        Assert.Equal(ExchangeType.IkeSaInit, message.Header.ExchangeType);
        Assert.True(message.Header.IsResponse);
        Assert.Equal(0x1122334455667788UL, message.Header.InitiatorSpi);
        Assert.Equal(0UL, message.Header.ResponderSpi);
        Assert.Equal(0U, message.Header.MessageId);
        var notify = Assert.IsType<NotifyPayload>(Assert.Single(message.Payloads));
        Assert.Equal(NotifyType.Cookie, notify.NotifyType);
        Assert.True(cookies.IsValid(notify.Data.Span, Ni, A, 0x1122334455667788));
    }

    [Fact]
    public void A_source_gets_its_burst_then_its_rate_and_others_are_not_affected()
    {
        var limiter = new SourceRateLimiter(65536, perSecond: 2, burst: 3, _clock);

        Assert.True(limiter.TryTake(A));
        Assert.True(limiter.TryTake(A));
        Assert.True(limiter.TryTake(A));
        Assert.False(limiter.TryTake(A));
        Assert.True(limiter.TryTake(B));

        _clock.Advance(TimeSpan.FromMilliseconds(500)); // one token back at 2/s
        Assert.True(limiter.TryTake(A));
        Assert.False(limiter.TryTake(A));
        // Memory is the table, whatever the number of sources.
        Assert.Equal(65536 * 16, limiter.TableBytes);
    }

    [Fact]
    public void The_peek_finds_a_leading_cookie_the_nonce_and_redirect_support_without_parsing_payload_bodies()
    {
        var message = SaInitMessages.Request(1, Ni, cookie: [9, 9, 9], redirectSupported: true);
        Assert.True(SaInitPeek.TryRead(message, (PayloadType)message[16], out var peek));
        Assert.True(peek.HasCookie);
        Assert.Equal(new byte[] { 9, 9, 9 }, message[peek.Cookie]);
        Assert.Equal(Ni, message[peek.Nonce]);
        Assert.True(peek.RedirectSupported);
        Assert.False(peek.RedirectedFrom);

        // A COOKIE that is not the first payload does not count (RFC 7296 §2.6).
        var late = IkeMessage.Create(IkeHeader.Create(1, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0),
            [new NoncePayload(Ni), NotifyPayload.Create(NotifyType.Cookie, new byte[] { 1 })]).ToArray();
        Assert.True(SaInitPeek.TryRead(late, PayloadType.Nonce, out var latePeek));
        Assert.False(latePeek.HasCookie);

        // A chain that overruns the message does not frame.
        var broken = (byte[])message.Clone();
        broken[IkeLimits.HeaderLength + 2] = 0xff;
        Assert.False(SaInitPeek.TryRead(broken, (PayloadType)broken[16], out _));
    }
}

/// <summary>IKE_SA_INIT requests with just what the front door reads (the gate's tests do not need SA or KE).</summary>
internal static class SaInitMessages
{
    public static byte[] Request(ulong initiatorSpi, byte[] ni, byte[]? cookie = null, bool redirectSupported = false, bool redirectedFrom = false)
    {
        var payloads = new List<Payload>();
        if (cookie is not null)
            payloads.Add(NotifyPayload.Create(NotifyType.Cookie, cookie));
        payloads.Add(new NoncePayload(ni));
        if (redirectSupported)
            payloads.Add(NotifyPayload.Create(NotifyType.RedirectSupported));
        if (redirectedFrom)
            payloads.Add(NotifyPayload.Redirect(GatewayIdentity.FromFqdn("old.example"), [], NotifyType.RedirectedFrom));
        return IkeMessage.Create(IkeHeader.Create(initiatorSpi, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0), payloads).ToArray();
    }
}
