using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Gateway.Core.Policy;
using Gateway.Core.Transport;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// A single-node cluster (port 0, so tests never collide) with the IKE core started on fakes: scripted machines that
/// report to <see cref="Machines"/>, a transport that reports to <see cref="Wire"/>, a recording data plane.
/// </summary>
public abstract class GatewayActorTest : TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """).WithFallback(GatewayClusterConfig.SingleNode(port: 0));

    protected GatewayActorTest(ITestOutputHelper output) : base(TestConfig, output: output)
    {
        Machines = CreateTestProbe();
        Wire = CreateTestProbe();
        Assert.True(GatewayClusterConfig.JoinSelfAsync(Sys).Wait(Patience), "the single-node cluster did not come up");
    }

    protected TestProbe Machines { get; }
    protected TestProbe Wire { get; }
    protected RecordingDataPlane DataPlane { get; } = new();
    protected InMemoryGatewayMetrics Metrics { get; } = new();
    protected ScriptedMachineFactory Factory { get; private set; } = null!;
    protected GatewayCoreHandle Core { get; private set; } = null!;
    protected IIkeIngress Ingress => Core.Ingress;

    /// <summary>Starts the core; the default script answers every message with an echo and ignores other inputs.</summary>
    protected GatewayCoreHandle StartCore(Func<ulong, IkeSaInput, IkeSaStep>? script = null, GatewayCoreOptions? options = null)
    {
        Factory = new ScriptedMachineFactory(script ?? EchoScript, Machines.Ref);
        Core = GatewayCore.Start(Sys, TestPolicy.Dummy(), new ProbeTransport(Wire.Ref), DataPlane, new FakeResponderServices(),
            Factory.Create, (options ?? GatewayCoreOptions.Default) with { Metrics = Metrics });
        return Core;
    }

    /// <summary>Starts the core with the real responder machine (no machine factory given).</summary>
    protected GatewayCoreHandle StartRealCore(GatewayPolicy policy, IResponderServices services, GatewayCoreOptions? options = null)
    {
        Core = GatewayCore.Start(Sys, policy, new ProbeTransport(Wire.Ref), DataPlane, services,
            machineFactory: null, (options ?? GatewayCoreOptions.Default) with { Metrics = Metrics });
        return Core;
    }

    protected static IkeSaStep EchoScript(ulong spi, IkeSaInput input) =>
        input is MessageReceived m ? IkeMessages.Echo(spi, m.Datagram) : IkeSaStep.Nothing;

    /// <summary>Sends an IKE_SA_INIT through the ingress and returns the responder SPI the gateway chose.</summary>
    protected ulong OpenSa(int client, ulong initiatorSpi)
    {
        Ingress.Receive(IkeMessages.Init(IkeMessages.Client(client), initiatorSpi));
        var saw = Machines.ExpectMsg<MachineSaw>(Patience);
        Assert.IsType<MessageReceived>(saw.Input);
        Wire.ExpectMsg<Sent>(Patience);
        return saw.Spi;
    }

    /// <summary>Session ids of the entities alive on this node (TestKit assertions are synchronous, so this blocks).</summary>
    protected IReadOnlyList<ulong> LocalSessions() => Core.Sessions.ListLocalAsync(Patience).GetAwaiter().GetResult();

    protected T ExpectInput<T>(ulong spi) where T : IkeSaInput
    {
        var saw = Machines.ExpectMsg<MachineSaw>(Patience);
        Assert.Equal(spi, saw.Spi);
        return Assert.IsType<T>(saw.Input);
    }
}
