using Akka.Actor;
using Gateway.Core.Metrics;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.Routing;

/// <summary>
/// The IKE front door: parses only the header and routes by OUR SPI to the sharding region, so any node can route any
/// message. Our SPI is the responder SPI when the I flag is set (the peer is the original initiator) and the initiator
/// SPI when it is clear (we rekeyed the IKE SA and became its original initiator, RFC 7296 §2.18) — for requests and
/// responses alike. An IKE_SA_INIT request with a zero responder SPI (I flag set) that retransmits one of a half-open
/// SA goes straight to that SA; any other passes the stateless <see cref="SaInitGuard"/> (cookies, redirect; none
/// when null) and then the half-open gate, which picks the new SA's SPI. Cookie and redirect answers carry responder SPI 0, so the client's retry
/// comes this way again. Responses are routed like requests; the machine discards those it did not ask for.
/// Thread-safe; called from socket receive loops.
/// </summary>
public sealed class IkeIngress(IActorRef region, HalfOpenGate gate, IGatewayMetrics metrics, SaInitGuard? guard = null) : IIkeIngress
{
    public void Receive(IkeDatagram datagram)
    {
        if (!IkeHeader.TryParse(datagram.Message.Span, out var header, out _) || header.InitiatorSpi == 0)
        {
            metrics.Dropped(DropReason.Malformed);
            return;
        }

        ulong ours = header.IsInitiator ? header.ResponderSpi : header.InitiatorSpi;
        if (ours != 0)
        {
            region.Tell(new DeliverToIkeSa(ours, Owned(datagram)));
            return;
        }

        if (header.ExchangeType != ExchangeType.IkeSaInit || header.IsResponse || !header.IsInitiator)
        {
            // Only the initiator's first message may lack our SPI.
            metrics.Dropped(DropReason.UnknownSpi);
            return;
        }

        if (gate.TryFindHalfOpen(datagram.Remote, header.InitiatorSpi, out var halfOpen))
        {
            // A retransmission to an SA we already opened goes to it (it resends its response for the same bytes),
            // never to the guard: a cookie or redirect answer would send the client round with a new request while
            // our first response is still on its way. A client that keys with that response then signs a different
            // IKE_SA_INIT request than ours (RFC 7296 §2.15), and its AUTH after EAP fails.
            region.Tell(new OpenIkeSa(halfOpen, Owned(datagram)));
            return;
        }

        if (guard is not null && guard.Check(datagram, header) != SaInitVerdict.Proceed)
            return;

        switch (gate.Admit(datagram.Remote, header.InitiatorSpi, out var responderSpi))
        {
            case HalfOpenAdmission.Full:
                metrics.Dropped(DropReason.HalfOpenLimit);
                return;
            default:
                region.Tell(new OpenIkeSa(responderSpi, Owned(datagram)));
                return;
        }
    }

    // The caller may reuse its receive buffer once we return; the message is queued, so it gets its own copy (only
    // once it is known to be queued: statelessly answered requests cost no copy).
    private static IkeDatagram Owned(IkeDatagram datagram) => datagram with { Message = datagram.Message.ToArray() };
}
