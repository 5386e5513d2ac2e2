using Gateway.Core.Routing;
using System.Net;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

public sealed class IkeSaLifecycleTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private const uint ChildSpi = 0xc0000001;

    /// <summary>IKE_AUTH (ID 1) establishes the SA with one child; ID 2 deletes the child; ID 3 closes the IKE SA.</summary>
    private static IkeSaEvent[]? Lifecycle(ulong spi, uint messageId) => messageId switch
    {
        1 => [new IkeSaEstablished("alice@test", [IPAddress.Parse("10.77.0.2")], IkeMessages.Client(1)),
              new ChildSaEstablished(IkeMessages.ChildSa(ChildSpi))],
        2 => [new ChildSaDeleted(ChildSpi)],
        3 => [new IkeSaClosed("deleted by peer")],
        _ => null,
    };

    private ulong Establish()
    {
        var spi = OpenSa(1, 0xabc);
        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, spi, messageId: 1));
        ExpectInput<MessageReceived>(spi);
        Wire.ExpectMsg<Sent>(Patience);
        AwaitAssert(() => Assert.True(DataPlane.Installed.ContainsKey(ChildSpi)), Patience);
        return spi;
    }

    [Fact]
    public void Timers_fire_into_the_machine_and_cancelled_timers_do_not()
    {
        StartCore((spi, input) => input switch
        {
            MessageReceived m => IkeMessages.Echo(spi, m.Datagram) with
            {
                Timers = [new TimerRequest("retransmit", TimeSpan.FromMilliseconds(50)), new TimerRequest("dpd", TimeSpan.FromMilliseconds(400))],
            },
            TimerFired { Key: "retransmit" } => IkeSaStep.Nothing with { Timers = [new TimerRequest("dpd", null)] },
            _ => IkeSaStep.Nothing,
        });
        var spi = OpenSa(1, 0x1);

        Assert.Equal("retransmit", ExpectInput<TimerFired>(spi).Key);
        Machines.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public void Established_child_SAs_are_installed_and_deleted_ones_removed()
    {
        StartCore(Scripts.ByMessageId(Lifecycle));
        var spi = Establish();

        Assert.Equal(1, Metrics.Established);
        Assert.Equal(1, Metrics.ChildSas);
        Assert.Equal(0, Core.HalfOpen.Count);

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, spi, messageId: 2));
        AwaitAssert(() => Assert.Contains(ChildSpi, DataPlane.Removed), Patience);
        Assert.Empty(DataPlane.Installed);
        AwaitAssert(() => Assert.Equal(0, Metrics.ChildSas), Patience);
        Assert.Equal(1, Metrics.Established);
    }

    [Fact]
    public void Terminated_stops_the_session_removes_its_SAs_and_forgets_its_spi()
    {
        StartCore(Scripts.ByMessageId(Lifecycle));
        var spi = Establish();
        Assert.Contains(SpiShardMap.SessionOf(spi), LocalSessions());

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, spi, messageId: 3));
        ExpectInput<MessageReceived>(spi);
        Wire.ExpectMsg<Sent>(Patience); // the last response still leaves

        AwaitAssert(() => Assert.Empty(DataPlane.Installed), Patience);
        AwaitAssert(() => Assert.Empty(LocalSessions()), Patience);
        AwaitAssert(() => Assert.Equal(0, Metrics.Established), Patience);
        Assert.Equal(0, Metrics.ChildSas);

        Ingress.Receive(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, spi, messageId: 4));
        AwaitAssert(() => Assert.Equal(1, Metrics.Drops(DropReason.UnknownSpi)), Patience);
        Machines.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void An_operator_terminate_reaches_the_machine_as_CloseRequested()
    {
        StartCore(Scripts.ByMessageId(Lifecycle, other: (_, input) =>
            input is CloseRequested ? IkeSaStep.Nothing with { Terminated = true } : null));
        var spi = Establish();

        Core.Sessions.Terminate(SpiShardMap.SessionOf(spi), "operator");

        Assert.Equal("operator", ExpectInput<CloseRequested>(spi).Reason);
        AwaitAssert(() => Assert.Empty(DataPlane.Installed), Patience);
    }

    [Fact]
    public void A_half_open_SA_that_never_authenticates_is_discarded()
    {
        StartCore(options: GatewayCoreOptions.Default with { HalfOpenLifetime = TimeSpan.FromMilliseconds(300) });
        var spi = OpenSa(1, 0x2);
        Assert.Equal(1, Metrics.HalfOpen);

        AwaitAssert(() => Assert.Equal(1, Metrics.Drops(DropReason.HalfOpenExpired)), Patience);
        AwaitAssert(() => Assert.DoesNotContain(SpiShardMap.SessionOf(spi), LocalSessions()), Patience);
        Assert.Equal(0, Core.HalfOpen.Count);
    }
}
