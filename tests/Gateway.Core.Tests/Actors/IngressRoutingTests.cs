using Gateway.Core.Routing;
using Akka.Actor;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Gateway.Core.Transport;
using Gateway.Ike;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

public sealed class IngressRoutingTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    [Fact]
    public void IkeSaInit_creates_a_session_with_a_fresh_spi_and_is_answered()
    {
        StartCore();
        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(1), 0x1111));

        var saw = Machines.ExpectMsg<MachineSaw>(Patience);
        Assert.NotEqual(0UL, saw.Spi);
        var received = Assert.IsType<MessageReceived>(saw.Input);
        Assert.Equal(0x1111UL, IkeMessages.HeaderOf(received.Datagram).InitiatorSpi);
        var answer = IkeMessages.HeaderOf(Wire.ExpectMsg<Sent>(Patience).Datagram);
        Assert.Equal(saw.Spi, answer.ResponderSpi);
        Assert.Equal([saw.Spi], Factory.Created);
        Assert.Equal(1, Core.HalfOpen.Count);
    }

    [Fact]
    public void A_retransmitted_IkeSaInit_reaches_the_same_session()
    {
        StartCore();
        var spi = OpenSa(1, 0x2222);

        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(1), 0x2222));

        ExpectInput<MessageReceived>(spi);
        Assert.Single(Factory.Created);
        // The same initiator SPI from another address is another client.
        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(2), 0x2222));
        Assert.NotEqual(spi, Machines.ExpectMsg<MachineSaw>(Patience).Spi);
    }

    [Fact]
    public void Later_messages_reach_the_session_by_responder_spi_responses_included()
    {
        StartCore();
        var spi = OpenSa(1, 0x3333);

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0x3333, spi));
        Assert.Equal(ExchangeType.IkeAuth, IkeMessages.HeaderOf(ExpectInput<MessageReceived>(spi).Datagram).ExchangeType);

        // An unsolicited response still goes to the SA: the machine decides to discard it.
        Ingress.Receive(IkeMessages.Message(IkeMessages.Client(1), 0x3333, spi, ExchangeType.Informational, 7, response: true));
        Assert.True(IkeMessages.HeaderOf(ExpectInput<MessageReceived>(spi).Datagram).IsResponse);
    }

    [Fact]
    public void The_ingress_copies_the_message_so_the_socket_may_reuse_its_buffer()
    {
        StartCore();
        var datagram = IkeMessages.Init(IkeMessages.Client(1), 0x4444);
        var buffer = datagram.Message.ToArray();

        Ingress.Receive(datagram with { Message = buffer });
        Array.Clear(buffer);

        var received = Assert.IsType<MessageReceived>(Machines.ExpectMsg<MachineSaw>(Patience).Input);
        Assert.Equal(0x4444UL, IkeMessages.HeaderOf(received.Datagram).InitiatorSpi);
    }

    [Fact]
    public void An_unknown_spi_is_dropped_and_counted_without_a_lasting_entity()
    {
        StartCore();

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0x5555, 0x0123456789abcdef));
        // A zero responder SPI on anything but an IKE_SA_INIT request cannot name an SA either.
        Ingress.Receive(IkeMessages.Message(IkeMessages.Client(1), 0x5555, 0, ExchangeType.IkeAuth, 1));

        AwaitAssert(() => Assert.Equal(2, Metrics.Drops(DropReason.UnknownSpi)), Patience);
        Assert.Empty(Factory.Created);
        AwaitAssert(() => Assert.Empty(LocalSessions()), Patience);
        Machines.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Malformed_headers_are_dropped_and_counted()
    {
        StartCore();
        var good = IkeMessages.Init(IkeMessages.Client(1), 0x6666).Message.ToArray();
        var badVersion = (byte[])good.Clone();
        badVersion[17] = 0x10;

        Ingress.Receive(new IkeDatagram(good.AsMemory(0, 20), IkeMessages.Gateway, IkeMessages.Client(1)));
        Ingress.Receive(new IkeDatagram(badVersion, IkeMessages.Gateway, IkeMessages.Client(1)));
        Ingress.Receive(new IkeDatagram(good.Concat(new byte[4]).ToArray(), IkeMessages.Gateway, IkeMessages.Client(1)));
        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(1), initiatorSpi: 0));

        Assert.Equal(4, Metrics.Drops(DropReason.Malformed));
        Machines.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(Factory.Created);
    }

    [Fact]
    public void The_half_open_cap_drops_new_IkeSaInits_but_not_retransmissions()
    {
        StartCore(options: GatewayCoreOptions.Default with { HalfOpenLimit = 2 });
        var first = OpenSa(1, 0x7001);
        OpenSa(2, 0x7002);

        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(3), 0x7003));
        Assert.Equal(1, Metrics.Drops(DropReason.HalfOpenLimit));
        Assert.Equal(2, Metrics.HalfOpen);

        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(1), 0x7001));
        ExpectInput<MessageReceived>(first);
        Assert.Equal(2, Factory.Created.Count);
    }

    [Fact]
    public void Every_SPI_with_the_session_bits_reaches_the_session_and_without_the_I_flag_the_initiator_SPI_is_ours()
    {
        StartCore();
        var spi = OpenSa(1, 0x8888);
        ulong rekeyed = SpiShardMap.SpiOf(SpiShardMap.SessionOf(spi), (ushort)(spi + 1));

        // The peer is original initiator of a rekeyed SA: I flag set, our new SPI in the responder slot.
        Ingress.Receive(IkeMessages.Message(IkeMessages.Client(1), 0x9999, rekeyed, ExchangeType.Informational, 0));
        Assert.Equal(rekeyed, IkeMessages.HeaderOf(ExpectInput<MessageReceived>(spi).Datagram).ResponderSpi);
        // We rekeyed it: the peer's messages (and answers to ours) have the I flag clear and our SPI first.
        Ingress.Receive(IkeMessages.Message(IkeMessages.Client(1), rekeyed, 0x9999, ExchangeType.Informational, 0, response: true, initiator: false));
        Assert.Equal(rekeyed, IkeMessages.HeaderOf(ExpectInput<MessageReceived>(spi).Datagram).InitiatorSpi);
        Assert.Single(Factory.Created);
        Assert.Equal([SpiShardMap.SessionOf(spi)], LocalSessions());
    }

    [Fact]
    public void An_IkeSaInit_that_draws_a_live_sessions_id_is_dropped_counted_and_its_half_open_entry_released()
    {
        StartCore();
        var spi = OpenSa(1, 0xAAAA);
        ulong sameSession = SpiShardMap.SpiOf(SpiShardMap.SessionOf(spi), (ushort)(spi + 1));

        // As if the gate had drawn this SPI for another client's IKE_SA_INIT.
        Core.Region.Tell(new Gateway.Core.Sessions.OpenIkeSa(sameSession, IkeMessages.Init(IkeMessages.Client(2), 0xBBBB)));
        AwaitAssert(() => Assert.Equal(1, Metrics.Drops(DropReason.SessionCollision)), Patience);
        Machines.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Single(Factory.Created);

        // The live session's own IKE_SA_INIT retransmission still reaches it.
        Core.Region.Tell(new Gateway.Core.Sessions.OpenIkeSa(spi, IkeMessages.Init(IkeMessages.Client(1), 0xAAAA)));
        ExpectInput<MessageReceived>(spi);
    }
}
