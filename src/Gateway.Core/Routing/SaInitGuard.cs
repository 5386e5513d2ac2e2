using System.Net;
using Gateway.Core.Metrics;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.Routing;

/// <summary>What the guard decided for an IKE_SA_INIT request without our SPI.</summary>
public enum SaInitVerdict
{
    /// <summary>Go on to the half-open gate (and so to a new or existing IKE SA).</summary>
    Proceed,

    /// <summary>Answered statelessly (N(COOKIE) or N(REDIRECT)); nothing was created.</summary>
    Answered,

    /// <summary>Dropped and counted.</summary>
    Dropped,
}

/// <summary>
/// The stateless checks an IKE_SA_INIT request passes before any entity exists:
/// <list type="number">
/// <item>Cookies (RFC 7296 §2.6): when the node holds at least <c>cookieThreshold</c> half-open SAs, or the source's
/// IKE_SA_INIT rate is above its budget, a request without a valid cookie is answered with N(COOKIE) only. A request
/// whose first payload is a valid N(COOKIE) proves its source address and proceeds (and skips the rate check). An
/// invalid cookie is counted; it gets a fresh cookie when cookies are demanded, else it is served as if it had none.</item>
/// <item>Redirect (RFC 5685 §4): when the redirect policy names another gateway for the client's address and the
/// request carries REDIRECT_SUPPORTED, the answer is N(REDIRECT) with Ni as nonce data. It comes after the cookie
/// check, so under attack we only redirect addresses that answered a cookie. A peer that arrived with
/// REDIRECTED_FROM is served (never bounced again: no redirect loops between draining nodes).</item>
/// </list>
/// The work per request is a header walk, at most one HMAC and one small answer; no table grows with the sources.
/// </summary>
public sealed class SaInitGuard(
    HalfOpenGate gate,
    int cookieThreshold,
    SourceRateLimiter? rateLimiter,
    StatelessCookies cookies,
    Func<IPEndPoint, GatewayIdentity?>? redirectPolicy,
    IIkeTransport transport,
    IGatewayMetrics metrics)
{
    public SaInitVerdict Check(IkeDatagram datagram, in IkeHeader header)
    {
        var message = datagram.Message.Span;
        if (!SaInitPeek.TryRead(message, header.NextPayload, out var peek))
        {
            metrics.Dropped(DropReason.Malformed);
            return SaInitVerdict.Dropped;
        }
        var source = datagram.Remote.Address;

        bool validCookie = false;
        if (peek.HasCookie)
        {
            validCookie = peek.HasNonce && cookies.IsValid(message[peek.Cookie], message[peek.Nonce], source, header.InitiatorSpi);
            if (validCookie)
                metrics.CookieValidated();
            else
                metrics.CookieInvalid();
        }
        if (!validCookie && CookiesDemanded(source))
        {
            if (!peek.HasNonce)
            {
                // No Ni, no cookie: such a request could not be served anyway.
                metrics.Dropped(DropReason.Malformed);
                return SaInitVerdict.Dropped;
            }
            Send(datagram, cookies.Response(header.InitiatorSpi, message[peek.Nonce], source));
            metrics.CookieSent();
            return SaInitVerdict.Answered;
        }

        if (redirectPolicy is not null && peek.RedirectSupported && !peek.RedirectedFrom && peek.HasNonce
            && redirectPolicy(datagram.Remote) is { } target)
        {
            Send(datagram, RedirectResponse(header.InitiatorSpi, target, message[peek.Nonce]));
            metrics.SaInitRedirected();
            return SaInitVerdict.Answered;
        }
        return SaInitVerdict.Proceed;
    }

    private bool CookiesDemanded(IPAddress source) =>
        // The half-open count first: under a flood it is true without touching the rate table.
        gate.Count >= cookieThreshold || (rateLimiter is not null && !rateLimiter.TryTake(source));

    /// <summary>RFC 5685 §4: N(REDIRECT) with the new gateway and Ni; responder SPI 0 since no state is kept.</summary>
    private static byte[] RedirectResponse(ulong initiatorSpi, GatewayIdentity target, ReadOnlySpan<byte> ni) =>
        IkeMessage.Create(IkeHeader.Create(initiatorSpi, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, 0),
            [NotifyPayload.Redirect(target, ni)]).ToArray();

    private void Send(IkeDatagram request, byte[] answer)
    {
        try
        {
            transport.Send(new IkeDatagram(answer, request.Local, request.Remote));
        }
        catch (Exception)
        {
            // A socket error must not escape into the receive loop; the peer retransmits.
            metrics.Dropped(DropReason.SendFailed);
        }
    }
}
