using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.Tests.Actors;

/// <summary>Header-only IKE messages and steps for the scripted machines.</summary>
public static class IkeMessages
{
    public static readonly IPEndPoint Gateway = new(IPAddress.Loopback, 500);

    public static IPEndPoint Client(int n) => new(IPAddress.Parse($"192.0.2.{n}"), 500);

    public static IkeDatagram Message(IPEndPoint remote, ulong initiatorSpi, ulong responderSpi, ExchangeType exchange,
        uint messageId, bool response = false, bool initiator = true)
    {
        var flags = (initiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None) | (response ? IkeHeaderFlags.Response : IkeHeaderFlags.None);
        var header = IkeHeader.Create(initiatorSpi, responderSpi, exchange, flags, messageId) with { Length = IkeLimits.HeaderLength };
        var bytes = new byte[IkeLimits.HeaderLength];
        header.WriteTo(bytes);
        return new IkeDatagram(bytes, Gateway, remote);
    }

    public static IkeDatagram Init(IPEndPoint remote, ulong initiatorSpi) =>
        Message(remote, initiatorSpi, 0, ExchangeType.IkeSaInit, 0);

    public static IkeDatagram Auth(IPEndPoint remote, ulong initiatorSpi, ulong responderSpi, uint messageId = 1) =>
        Message(remote, initiatorSpi, responderSpi, ExchangeType.IkeAuth, messageId);

    public static IkeHeader HeaderOf(IkeDatagram d)
    {
        Assert.True(IkeHeader.TryParse(d.Message.Span, out var header, out _));
        return header;
    }

    /// <summary>Answers a request with the same header, flagged as a response, from our SPI.</summary>
    public static IkeSaStep Echo(ulong spi, IkeDatagram request)
    {
        var h = HeaderOf(request);
        var response = Message(request.Remote, h.InitiatorSpi, spi, h.ExchangeType, h.MessageId, response: true);
        return new IkeSaStep([response with { Local = request.Local }], [], [], false);
    }

    public static ChildSaInstallation ChildSa(uint inboundSpi) => new(
        inboundSpi, inboundSpi ^ 0xffff0000, EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None, false,
        new byte[36], [], new byte[36], [], Gateway, Client(1), true, [IPAddress.Parse("10.77.0.2")]);

    public static IkeSaStep Events(params IkeSaEvent[] events) => new([], events, [], false);
}

/// <summary>Scripts for the fake machines: by message ID of the request, everything else echoed.</summary>
public static class Scripts
{
    /// <summary>Echoes every request; <paramref name="byMessageId"/> adds events (or returns a whole step) for some IDs.</summary>
    public static Func<ulong, IkeSaInput, IkeSaStep> ByMessageId(
        Func<ulong, uint, IkeSaEvent[]?> byMessageId, Func<ulong, IkeSaInput, IkeSaStep?>? other = null) =>
        (spi, input) =>
        {
            if (input is not MessageReceived m)
                return other?.Invoke(spi, input) ?? IkeSaStep.Nothing;
            var echo = IkeMessages.Echo(spi, m.Datagram);
            var events = byMessageId(spi, IkeMessages.HeaderOf(m.Datagram).MessageId) ?? [];
            return echo with { Events = events, Terminated = events.OfType<IkeSaClosed>().Any() };
        };

    public static IkeSaEvent Established(IkeDatagram d) =>
        new IkeSaEstablished("alice@test", [System.Net.IPAddress.Parse("10.77.0.2")], d.Remote);
}
