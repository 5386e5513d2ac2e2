using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Gateway.Core.Tests.Actors;

/// <summary>What a scripted machine saw (told to the observer, so tests can ExpectMsg it).</summary>
public sealed record MachineSaw(ulong Spi, IkeSaInput Input);

/// <summary>A datagram the gateway sent (told to the observer).</summary>
public sealed record Sent(IkeDatagram Datagram);

/// <summary>A machine that reports every input and answers as its script says.</summary>
public sealed class ScriptedMachine(ulong spi, Func<ulong, IkeSaInput, IkeSaStep> script, IActorRef observer) : IIkeSaMachine
{
    public IkeSaStep Handle(IkeSaInput input)
    {
        observer.Tell(new MachineSaw(spi, input));
        return script(spi, input);
    }
}

/// <summary>Makes scripted machines and remembers which SPIs got one.</summary>
public sealed class ScriptedMachineFactory(Func<ulong, IkeSaInput, IkeSaStep> script, IActorRef observer)
{
    public ConcurrentQueue<ulong> Created { get; } = new();

    public IIkeSaMachine Create(ulong spi)
    {
        Created.Enqueue(spi);
        return new ScriptedMachine(spi, script, observer);
    }
}

public sealed class ProbeTransport(IActorRef observer) : IIkeTransport
{
    public void Send(IkeDatagram datagram) => observer.Tell(new Sent(datagram));
}

/// <summary>A peer move the data plane was told about.</summary>
public sealed record PeerUpdate(uint InboundSpi, IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated);

/// <summary>
/// A data plane that records installs/removes/moves (in order, as the table would see them), can be told to fail an
/// install, and serves counters the test sets.
/// </summary>
public sealed class RecordingDataPlane : IDataPlane
{
    public ConcurrentDictionary<uint, ChildSaInstallation> Installed { get; } = new();
    public ConcurrentQueue<uint> Removed { get; } = new();
    public ConcurrentQueue<PeerUpdate> Updates { get; } = new();
    public ConcurrentDictionary<uint, ChildSaCounters> Counters { get; } = new();

    /// <summary>"install:xxxxxxxx" / "remove:xxxxxxxx" in call order.</summary>
    public ConcurrentQueue<string> Log { get; } = new();
    public ConcurrentDictionary<uint, bool> FailInstallOf { get; } = new();

    public void Install(ChildSaInstallation sa)
    {
        if (FailInstallOf.ContainsKey(sa.InboundSpi))
            throw new InvalidOperationException($"install of {sa.InboundSpi:x8} fails (test)");
        Installed[sa.InboundSpi] = sa;
        Log.Enqueue($"install:{sa.InboundSpi:x8}");
    }

    public void UpdatePeer(uint inboundSpi, IPEndPoint local, IPEndPoint remote, bool udpEncapsulated) =>
        Updates.Enqueue(new PeerUpdate(inboundSpi, local, remote, udpEncapsulated));

    /// <summary>Inbound replay floors raised (RFC 6311 replay counter sync), by SPI.</summary>
    public ConcurrentDictionary<uint, ulong> Floors { get; } = new();

    public void RaiseInboundFloor(uint inboundSpi, ulong floor) => Floors[inboundSpi] = floor;

    public void Remove(uint inboundSpi)
    {
        Installed.TryRemove(inboundSpi, out _);
        Removed.Enqueue(inboundSpi);
        Log.Enqueue($"remove:{inboundSpi:x8}");
    }

    public ChildSaCounters? ReadCounters(uint inboundSpi) =>
        Installed.ContainsKey(inboundSpi) ? Counters.GetValueOrDefault(inboundSpi) : null;
}

public sealed class FakeResponderServices : IResponderServices
{
    private int _next = 0x1000;
    public void Random(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);
    public uint AllocateEspSpi() => (uint)Interlocked.Increment(ref _next);
    public uint AllocateEspSpi(uint classes, uint index) =>
        Gateway.Core.Routing.SpiShardMap.EspSpiInClass((uint)Interlocked.Increment(ref _next), classes, index)!.Value;
    public void ReleaseEspSpi(uint spi) { }
    public IReadOnlyList<IPAddress> LeaseAddresses(string identity, bool wantIpv4, bool wantIpv6) => [IPAddress.Parse("10.77.0.2")];
    public void ReleaseAddresses(string identity, IReadOnlyList<IPAddress> addresses) { }
}

public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

public static class TestPolicy
{
    /// <summary>A policy the fake machines never read; only its shape matters to the actors.</summary>
    public static GatewayPolicy Dummy()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test.gateway", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new GatewayPolicy
        {
            Identity = "test.gateway",
            Certificate = certificate,
            CertificateChain = [],
            TrustedCas = [],
            IkeProposals = [],
            EspProposals = [],
            Pools = new AddressPools(null, null, []),
            ProtectedSubnets = [],
        };
    }
}
