using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Initiator;
using Gateway.Esp;
using Gateway.LoadTest.Options;
using Gateway.LoadTest.Report;
using Gateway.LoadTest.Stats;
using Gateway.LoadTest.Traffic;

namespace Gateway.LoadTest.Running;

/// <summary>
/// What established tunnels do on the scheduler's ticks: send ESP at --esp-rate each, roam a --roam-rate share of them
/// per second to the next source address (MOBIKE), rekey child and IKE SAs every --rekey-child / --rekey-ike seconds.
/// ESP stops 1 s before the run's end so the last replies can still arrive and "lost" means lost.
/// </summary>
internal sealed class EstablishedWork
{
    private const int MaxBurstPerTick = 1000;
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(1);

    private readonly LoadTestOptions _options;
    private readonly IReadOnlyList<SourceSocket> _sockets;
    private readonly Func<IEnumerable<Tunnel>> _tunnels;
    private readonly ConcurrentDictionary<uint, Tunnel> _byEspSpi = new();
    private readonly ConcurrentDictionary<Tunnel, DateTime> _flowStarted = new();
    private readonly ConcurrentDictionary<ushort, EspFlow> _byIdentifier = new();
    private long _strayReplies;
    private readonly TimeSpan _trafficStop;
    private readonly Random _random = new();
    private DateTime? _espStart;
    private DateTime? _espStop;
    private long _sendErrors;
    private long _unknownSpi;
    private int _withoutFlow;
    private double _roamCredit;
    private DateTime _lastRun;

    /// <param name="tunnels">The run's tunnels as they are now (asked on every tick).</param>
    public EstablishedWork(LoadTestOptions options, IReadOnlyList<SourceSocket> sockets, Func<IEnumerable<Tunnel>> tunnels)
    {
        _options = options;
        _sockets = sockets;
        _tunnels = tunnels;
        _trafficStop = options.Duration > 2 * ReplyGrace ? options.Duration - ReplyGrace : options.Duration;
    }

    /// <summary>Whether tunnels stay up until the duration is over (there is something for them to do).</summary>
    public bool KeepsTunnels => _options.EspRate > 0 || _options.RoamRate > 0 || _options.ChildRekeyInterval is not null || _options.IkeRekeyInterval is not null;

    public void Established(Tunnel tunnel, TunnelEstablished established, DateTime now)
    {
        if (_options.ChildRekeyInterval is { } child)
            tunnel.NextChildRekey = now + child;
        if (_options.IkeRekeyInterval is { } ike)
            tunnel.NextIkeRekey = now + ike;
        if (_options.EspRate <= 0 || _options.EspTarget is not { } target)
            return;
        // ESP in UDP only: raw ESP (protocol 50) needs a raw socket, and every profile announces MOBIKE, which floats to 4500.
        var address = established.VirtualAddresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (address is null || !established.Child.UdpEncapsulated)
        {
            Interlocked.Increment(ref _withoutFlow);
            return;
        }
        tunnel.Flow = new EspFlow(established.Child, address, target, _options.EspSize, (ushort)tunnel.Index,
            new IPEndPoint(_options.Target.Address, Gateway.Core.IkeSa.IkePorts.NatTraversal));
        _byEspSpi[established.Child.InboundSpi] = tunnel;
        _byIdentifier[tunnel.Flow.Identifier] = tunnel.Flow;
        _flowStarted[tunnel] = now;
        lock (_flowStarted)
            _espStart ??= now;
    }

    public void ChildInstalled(Tunnel tunnel, EstablishedChildSa child)
    {
        if (tunnel.Flow is not { } flow)
            return;
        flow.Install(child);
        _byEspSpi[child.InboundSpi] = tunnel;
    }

    public void ChildRetired(Tunnel tunnel, uint inboundSpi)
    {
        tunnel.Flow?.Retire(inboundSpi);
        _byEspSpi.TryRemove(inboundSpi, out _);
    }

    /// <summary>An ESP packet from a socket's receive loop.</summary>
    public void Deliver(ReadOnlyMemory<byte> esp)
    {
        if (!_byEspSpi.TryGetValue(UdpEncapsulation.ReadSpi(esp.Span), out var tunnel) || tunnel.Flow is not { } flow)
            Interlocked.Increment(ref _unknownSpi);
        else if (flow.TryOpen(esp.Span, out ushort identifier, out int length))
        {
            if (_byIdentifier.TryGetValue(identifier, out var owner))
                owner.CountReply(length, ReferenceEquals(owner, flow));
            else
                Interlocked.Increment(ref _strayReplies);
        }
    }

    public void Run(DateTime now, TimeSpan elapsed)
    {
        if (!KeepsTunnels)
            return; // nothing to do on established tunnels: no per-tick walk over them (idle-memory runs have 10k+)
        double seconds = _lastRun == default ? 0 : (now - _lastRun).TotalSeconds;
        _lastRun = now;
        bool sending = elapsed < _trafficStop;
        if (!sending)
            Stop(now);
        var up = _tunnels().Where(t => t.Phase == InitiatorPhase.Established).ToList();
        foreach (var tunnel in up)
        {
            if (sending && tunnel.Flow is { } flow && _flowStarted.TryGetValue(tunnel, out var since))
            {
                long due = (long)(_options.EspRate * (now - since).TotalSeconds) + 1 - flow.Sent;
                if (due > 0)
                    Interlocked.Add(ref _sendErrors, tunnel.SendEsp((int)Math.Min(due, MaxBurstPerTick)));
            }
            if (tunnel.NextChildRekey is { } childDue && childDue <= now && tunnel.RekeyChild(now))
                tunnel.NextChildRekey = now + _options.ChildRekeyInterval!.Value;
            if (tunnel.NextIkeRekey is { } ikeDue && ikeDue <= now && tunnel.RekeyIkeSa(now))
                tunnel.NextIkeRekey = now + _options.IkeRekeyInterval!.Value;
        }
        if (_options.RoamRate > 0 && sending)
            Roam(up, now, seconds);
    }

    /// <summary>Moves a share of the established tunnels per second, each to the next source address after its own.</summary>
    private void Roam(List<Tunnel> up, DateTime now, double seconds)
    {
        _roamCredit = Math.Min(_roamCredit + _options.RoamRate * up.Count * seconds, up.Count);
        var candidates = up.Where(t => t.CanRoam).ToList();
        while (_roamCredit >= 1 && candidates.Count > 0)
        {
            int pick = _random.Next(candidates.Count);
            var tunnel = candidates[pick];
            candidates[pick] = candidates[^1];
            candidates.RemoveAt(candidates.Count - 1);
            var next = _sockets[(IndexOf(tunnel.Socket) + 1) % _sockets.Count];
            if (tunnel.MoveTo(next, now))
                _roamCredit -= 1;
        }
    }

    private int IndexOf(SourceSocket socket)
    {
        for (int i = 0; i < _sockets.Count; i++)
        {
            if (ReferenceEquals(_sockets[i], socket))
                return i;
        }
        return 0;
    }

    /// <summary>ESP stops (at the latest when the run ends).</summary>
    public void Stop(DateTime now)
    {
        lock (_flowStarted)
            _espStop ??= now;
    }

    public string ProgressSuffix(ExchangeStatistics exchanges)
    {
        if (!KeepsTunnels)
            return "";
        long sent = 0, received = 0;
        foreach (var t in _flowStarted.Keys)
        {
            sent += t.Flow?.Sent ?? 0;
            received += t.Flow?.Received ?? 0;
        }
        var roams = exchanges.Summary(InitiatorExchange.AddressUpdate);
        var child = exchanges.Summary(InitiatorExchange.ChildRekey);
        var ike = exchanges.Summary(InitiatorExchange.IkeRekey);
        return string.Create(CultureInfo.InvariantCulture,
            $"  esp {received}/{sent}  roams {roams.Succeeded}/{roams.Attempted}  rekeys child {child.Succeeded} ike {ike.Succeeded}");
    }

    public EspSummary? EspSummary(IReadOnlyList<Tunnel> tunnels)
    {
        if (_options.EspRate <= 0)
            return null;
        var flows = tunnels.Where(t => t.Flow is not null).Select(t => (t.Index, Flow: t.Flow!)).ToList();
        long sent = flows.Sum(f => f.Flow.Sent), received = flows.Sum(f => f.Flow.Received);
        long bytesSent = flows.Sum(f => f.Flow.BytesSent), bytesReceived = flows.Sum(f => f.Flow.BytesReceived);
        double window = _espStart is { } a && _espStop is { } b && b > a ? (b - a).TotalSeconds : 0;
        double PerSecond(double v) => window > 0 ? Math.Round(v / window, 1) : 0;
        double Mbit(long bytes) => window > 0 ? Math.Round(bytes * 8 / window / 1e6, 2) : 0;
        return new EspSummary(flows.Count, _options.EspRate, _options.EspSize, _options.EspTarget!.ToString(),
            sent, received, Math.Max(0, sent - received), sent > 0 ? Math.Round(100.0 * (sent - received) / sent, 2) : 0,
            bytesSent, bytesReceived, flows.Sum(f => f.Flow.Dropped) + Interlocked.Read(ref _unknownSpi) + Interlocked.Read(ref _strayReplies), Interlocked.Read(ref _sendErrors),
            Math.Round(window, 3), PerSecond(sent), PerSecond(received), Mbit(bytesSent), Mbit(bytesReceived),
            flows.Select(f => new TunnelTraffic(f.Index, f.Flow.Sent, f.Flow.Received, Math.Max(0, f.Flow.Sent - f.Flow.Received))).ToList())
        {
            TunnelsWithoutTraffic = _withoutFlow,
            InboundDroppedByReason = DropsByReason(flows.Select(f => f.Flow)),
            RepliesOnOtherTunnelsSas = flows.Sum(f => f.Flow.RepliesOnOtherSas),
        };
    }

    private SortedDictionary<string, long> DropsByReason(IEnumerable<EspFlow> flows)
    {
        var all = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in flows.SelectMany(f => f.DropsByReason))
            all[reason] = all.GetValueOrDefault(reason) + count;
        if (Interlocked.Read(ref _unknownSpi) is > 0 and var unknown)
            all["UnknownSpi"] = all.GetValueOrDefault("UnknownSpi") + unknown;
        if (Interlocked.Read(ref _strayReplies) is > 0 and var stray)
            all["NoSuchTunnel"] = stray; // an echo reply whose identifier is none of ours
        return all;
    }
}
