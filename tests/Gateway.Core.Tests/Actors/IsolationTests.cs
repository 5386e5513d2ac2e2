using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>A fault in one client's actors never touches another client (issue 3, section 2).</summary>
public sealed class IsolationTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private const uint Boom = 99;

    private static uint ChildSpiOf(ulong initiatorSpi) => 0xc0000000 | (uint)initiatorSpi;

    private ulong EstablishClient(int client, ulong initiatorSpi)
    {
        var spi = OpenSa(client, initiatorSpi);
        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(client), initiatorSpi, spi, messageId: 1));
        ExpectInput<MessageReceived>(spi);
        Wire.ExpectMsg<Sent>(Patience);
        AwaitAssert(() => Assert.True(DataPlane.Installed.ContainsKey(ChildSpiOf(initiatorSpi))), Patience);
        return spi;
    }

    private static IkeSaStep Script(ulong spi, IkeSaInput input)
    {
        if (input is not MessageReceived m)
            return IkeSaStep.Nothing;
        var header = IkeMessages.HeaderOf(m.Datagram);
        if (header.MessageId == Boom)
            throw new InvalidOperationException("machine bug (test)");
        var echo = IkeMessages.Echo(spi, m.Datagram);
        if (header.MessageId != 1)
            return echo;
        // Two child SAs per client: the primary, and a second one whose install may be made to fail.
        var primary = ChildSpiOf(header.InitiatorSpi);
        return echo with
        {
            Events =
            [
                new IkeSaEstablished("user", [IPAddress.Parse("10.77.0.2")], m.Datagram.Remote),
                new ChildSaEstablished(IkeMessages.ChildSa(primary)),
                new ChildSaEstablished(IkeMessages.ChildSa(primary ^ 0x00ff0000)),
            ],
        };
    }

    [Fact]
    public void A_machine_that_throws_stops_only_its_own_client()
    {
        StartCore(Script);
        var victim = EstablishClient(1, 0xa);
        var bystander = EstablishClient(2, 0xb);

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xa, victim, messageId: Boom));
        ExpectInput<MessageReceived>(victim);

        AwaitAssert(() => Assert.Equal(1, Metrics.IkeSaFaults), Patience);
        AwaitAssert(() => Assert.False(DataPlane.Installed.ContainsKey(ChildSpiOf(0xa))), Patience);
        Assert.True(DataPlane.Installed.ContainsKey(ChildSpiOf(0xb)));

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(2), 0xb, bystander, messageId: 2));
        ExpectInput<MessageReceived>(bystander);
        Assert.Equal(bystander, IkeMessages.HeaderOf(Wire.ExpectMsg<Sent>(Patience).Datagram).ResponderSpi);

        // The failed client's SPI is gone: its next message is an unknown SPI, not a new SA.
        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xa, victim, messageId: 3));
        AwaitAssert(() => Assert.Equal(1, Metrics.Drops(DropReason.UnknownSpi)), Patience);
        Assert.Equal(2, Factory.Created.Count);
        Assert.Equal(1, Metrics.Established);
        Assert.Equal(2, Metrics.ChildSas);
    }

    [Fact]
    public void A_failed_child_SA_actor_is_stopped_while_its_IKE_SA_and_other_clients_carry_on()
    {
        StartCore(Script);
        var bystander = EstablishClient(2, 0xb);
        var failing = ChildSpiOf(0xa) ^ 0x00ff0000;
        DataPlane.FailInstallOf[failing] = true;

        var spi = EstablishClient(1, 0xa);

        AwaitAssert(() => Assert.Equal(1, Metrics.ChildSaFaults), Patience);
        AwaitAssert(() => Assert.Contains(failing, DataPlane.Removed), Patience);
        Assert.False(DataPlane.Installed.ContainsKey(failing));
        Assert.True(DataPlane.Installed.ContainsKey(ChildSpiOf(0xa)));
        Assert.Equal(0, Metrics.IkeSaFaults);

        // Both IKE SAs still answer.
        foreach (var (client, ispi, rspi) in new[] { (1, 0xaUL, spi), (2, 0xbUL, bystander) })
        {
            Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(client), ispi, rspi, messageId: 2));
            ExpectInput<MessageReceived>(rspi);
            Assert.Equal(rspi, IkeMessages.HeaderOf(Wire.ExpectMsg<Sent>(Patience).Datagram).ResponderSpi);
        }
    }
}
