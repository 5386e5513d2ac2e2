using System.Net;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>Measurements read the whole process's heap, so nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(MeasurementCollection), DisableParallelization = true)]
public sealed class MeasurementCollection;

/// <summary>
/// Bytes a half-open IKE SA holds (docs/dos.md): the half-open gate's entry, the session entity and IKE SA actor,
/// and the responder machine after IKE_SA_INIT (keys, nonces, both IKE_SA_INIT messages kept for AUTH). Measured as
/// the growth of the live heap (after full collections) across N real IKE_SA_INITs through the ingress.
/// </summary>
[Collection(nameof(MeasurementCollection))]
public sealed class HalfOpenMemoryTests(ITestOutputHelper log) : GatewayActorTest(log)
{
    private readonly ITestOutputHelper _log = log;

    private const int N = 200;
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 500);

    [Fact]
    public void Bytes_held_per_half_open_SA_are_measured_and_bounded()
    {
        var gateway = new TestGateway();
        StartRealCore(gateway.Policy, gateway.Services, GatewayCoreOptions.Default with { CookieThreshold = int.MaxValue, SourceRatePerSecond = null });
        // The requests are made first (the initiators' own keys must not count), and one warm-up SA loads code paths.
        var requests = Enumerable.Range(0, N + 1).Select(i => Request(i)).ToList();
        Send(requests[0]);

        long before = LiveHeap();
        foreach (var request in requests.Skip(1))
            Send(request);
        AwaitAssert(() => Assert.Equal(N + 1, Core.HalfOpen.Count), TimeSpan.FromSeconds(30));
        long after = LiveHeap();
        GC.KeepAlive(requests);

        long perSa = (after - before) / N;
        _log.WriteLine($"{N} half-open SAs: {after - before:N0} bytes live heap growth, {perSa:N0} bytes per half-open SA");
        Assert.InRange(perSa, 1, 64 * 1024);
    }

    [Fact]
    public void Bytes_held_per_half_open_gate_entry_alone()
    {
        const int entries = 10_000;
        var gate = new Gateway.Core.Routing.HalfOpenGate(entries, TimeSpan.FromSeconds(30), TimeProvider.System,
            new Gateway.Core.Routing.RandomResponderSpiSource(new Gateway.Core.Routing.SpiShardMap(100), Gateway.Core.Routing.NoLocalShardPreference.Instance),
            Gateway.Core.Metrics.NoopGatewayMetrics.Instance);
        var endpoints = Enumerable.Range(0, entries).Select(i => new IPEndPoint(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 500)).ToList();
        gate.Admit(endpoints[0], 1, out _);

        long before = LiveHeap();
        for (int i = 1; i < entries; i++)
            gate.Admit(endpoints[i], (ulong)i + 1, out _);
        long after = LiveHeap();
        GC.KeepAlive(gate);
        GC.KeepAlive(endpoints);

        long perEntry = (after - before) / (entries - 1);
        _log.WriteLine($"{entries - 1} gate entries: {perEntry:N0} bytes each");
        Assert.InRange(perEntry, 1, 1024);
    }

    private void Send(IkeDatagram request)
    {
        Ingress.Receive(request);
        Wire.ExpectMsg<Sent>(Patience);
    }

    private static IkeDatagram Request(int i)
    {
        var client = new IPEndPoint(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 500);
        IkeDatagram? captured = null;
        using var initiator = new TestInitiator((d, _) =>
        {
            captured = d;
            return IkeSaStep.Nothing;
        }, client, GatewayEndpoint);
        initiator.SaInit("aes128gcm16-prfsha256-x25519");
        return captured!;
    }

    private static long LiveHeap()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
