using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Core.Initiator;
using Gateway.LoadTest.Options;
using Gateway.LoadTest.Profiles;
using Gateway.LoadTest.Report;
using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Running;

/// <summary>
/// The I/O shell around many <see cref="IkeInitiator"/>s: sockets, the clock, pacing (rate and concurrency), the run's
/// bounds (total and duration), progress and the report. A 10 ms scheduler starts tunnels, drives retransmission
/// timers and, on established tunnels, the work of <see cref="EstablishedWork"/> (ESP, roams, rekeys); answers are
/// handled on the sockets' receive loops.
/// </summary>
public sealed class LoadRunner : ITunnelHost
{
    private static readonly TimeSpan SchedulerPeriod = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan TeardownWait = TimeSpan.FromSeconds(5);

    private readonly LoadTestOptions _options;
    private readonly LoadProfile _profile;
    private readonly InitiatorCredentials _credentials;
    private readonly IReadOnlyList<IPAddress> _sources;
    private readonly Action<string>? _progress;
    private readonly ConcurrentDictionary<ulong, Tunnel> _bySpi = new();
    private readonly List<Tunnel> _all = [];
    private readonly ConcurrentDictionary<Tunnel, byte> _timed = new(); // tunnels whose machine has a deadline
    private readonly RunStatistics _stats = new();
    private readonly ExchangeStatistics _exchanges = new();
    private EstablishedWork? _work;
    private int _inFlight;

    public LoadRunner(LoadTestOptions options, LoadProfile profile, InitiatorCredentials credentials,
        IReadOnlyList<IPAddress> sources, Action<string>? progress)
    {
        if (options.RoamRate > 0 && sources.Count < 2)
            throw new LoadTestException($"--roam-rate: a roam needs a second source address, and {sources.Count} is given (--source)");
        _options = options;
        _profile = profile;
        _credentials = credentials;
        _sources = sources;
        _progress = progress;
    }

    /// <summary>The settings every tunnel of this run uses; <paramref name="local"/> is its socket's address.</summary>
    public static InitiatorSettings SettingsFor(LoadProfile profile, InitiatorCredentials credentials, IPEndPoint local, LoadTestOptions options) => new()
    {
        MessageIdSync = options.MessageIdSync,
        ReplayCounterSync = options.ReplayCounterSync,
        IkeProposals = profile.IkeProposals,
        EspProposals = profile.EspProposals,
        Credentials = credentials,
        Local = local,
        Gateway = options.Target,
        Mobike = profile.Mobike,
        Fragmentation = profile.Fragmentation,
    };

    public async Task<LoadReport> RunAsync(CancellationToken cancel)
    {
        var sockets = _sources.Select(a => new SourceSocket(a)).ToList();
        _work = new EstablishedWork(_options, sockets, () => Tunnels);
        using var stopReceiving = new CancellationTokenSource();
        var receivers = sockets.Select(s => Task.Factory.StartNew(() => s.ReceiveLoop(Deliver, _work.Deliver, stopReceiving.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var startedUtc = DateTime.UtcNow;
        var lastProgress = TimeSpan.Zero;
        TimeSpan? handshakesOver = null;
        int started = 0;
        try
        {
            using var timer = new PeriodicTimer(SchedulerPeriod);
            while (!cancel.IsCancellationRequested)
            {
                var elapsed = clock.Elapsed;
                var now = startedUtc + elapsed;
                if (elapsed >= _options.Duration)
                    break;
                // Pacing: by now, rate × elapsed tunnels should have started (+1: the first at once).
                double allowed = _options.Rate > 0 ? Math.Floor(_options.Rate * elapsed.TotalSeconds) + 1 : double.MaxValue;
                while (started < _options.Total && started < allowed && Volatile.Read(ref _inFlight) < _options.Concurrency)
                {
                    StartTunnel(started, sockets[started % sockets.Count], now, startedUtc);
                    started++;
                }
                TickDue(now);
                _work.Run(now, elapsed);
                if (elapsed - lastProgress >= TimeSpan.FromSeconds(1))
                {
                    lastProgress = elapsed;
                    _progress?.Invoke(ProgressLine.Format(_stats, Volatile.Read(ref _inFlight), elapsed) + _work.ProgressSuffix(_exchanges));
                }
                if (started >= _options.Total && Volatile.Read(ref _inFlight) == 0)
                {
                    handshakesOver ??= elapsed;
                    if (!_work.KeepsTunnels)
                        break; // else established tunnels carry on (ESP, roams, rekeys) until the duration is up
                }
                await timer.WaitForNextTickAsync(CancellationToken.None);
            }
            var wallTime = clock.Elapsed;
            _work.Stop(startedUtc + wallTime);
            AbortHandshakes(startedUtc + clock.Elapsed);
            if (_options.Teardown)
                await TeardownAsync(startedUtc, clock);
            var cpu = process.TotalProcessorTime - cpuStart;
            var cpuWall = clock.Elapsed;
            process.Refresh();
            return BuildReport(startedUtc, wallTime, handshakesOver ?? wallTime, started, cpu, cpuWall);
        }
        finally
        {
            stopReceiving.Cancel();
            foreach (var s in sockets)
                s.Dispose();
            await Task.WhenAll(receivers);
            foreach (var t in _all)
                t.Dispose();
        }
    }

    private void StartTunnel(int index, SourceSocket socket, DateTime now, DateTime runStart)
    {
        var machine = new IkeInitiator(SettingsFor(_profile, _credentials, socket.Local, _options));
        var tunnel = new Tunnel(index, machine, socket, _stats, _exchanges, runStart, this);
        tunnel.HandshakeDone = () => Interlocked.Decrement(ref _inFlight);
        _bySpi[tunnel.Spi] = tunnel;
        lock (_all)
            _all.Add(tunnel);
        Interlocked.Increment(ref _inFlight);
        _stats.TunnelStarted();
        tunnel.Start(now);
    }

    private void Deliver(ulong spi, ReadOnlyMemory<byte> message)
    {
        if (_bySpi.TryGetValue(spi, out var tunnel))
            tunnel.Receive(message, DateTime.UtcNow);
    }

    void ITunnelHost.IkeSpiChanged(Tunnel tunnel, ulong oldSpi, bool keepOld)
    {
        if (!keepOld)
            _bySpi.TryRemove(oldSpi, out _);
        _bySpi[tunnel.Spi] = tunnel;
    }

    void ITunnelHost.IkeSpiRetired(Tunnel tunnel, ulong spi) => _bySpi.TryRemove(new KeyValuePair<ulong, Tunnel>(spi, tunnel));

    /// <summary>Every tunnel once (a tunnel is routed by two SPIs while an IKE SA it rekeyed is retiring).</summary>
    private IEnumerable<Tunnel> Tunnels => _bySpi.Values.Distinct();

    void ITunnelHost.Established(Tunnel tunnel, TunnelEstablished established) => _work?.Established(tunnel, established, DateTime.UtcNow);
    void ITunnelHost.ChildInstalled(Tunnel tunnel, EstablishedChildSa child) => _work?.ChildInstalled(tunnel, child);
    void ITunnelHost.ChildRetired(Tunnel tunnel, uint inboundSpi) => _work?.ChildRetired(tunnel, inboundSpi);

    void ITunnelHost.DeadlineSet(Tunnel tunnel) => _timed.TryAdd(tunnel, 0);

    /// <summary>
    /// Every 10 ms: ticks the tunnels whose deadline is due. Only tunnels with a deadline are walked (handshakes and
    /// outstanding exchanges), not every established one: a walk over all tunnels 100 times a second was 4 % of the
    /// generator's CPU in a 3000-handshake run, and grows with idle tunnels.
    /// </summary>
    private void TickDue(DateTime now)
    {
        foreach (var (tunnel, _) in _timed)
        {
            if (tunnel.Deadline is { } due)
            {
                if (due <= now)
                    tunnel.Tick(now);
                continue;
            }
            _timed.TryRemove(tunnel, out _);
            // A deadline set between the read above and the removal was announced while the tunnel was still here: add it back.
            if (tunnel.Deadline is not null)
                _timed.TryAdd(tunnel, 0);
        }
    }

    /// <summary>Handshakes still running when time is up are abandoned and counted as aborted, not failed.</summary>
    private void AbortHandshakes(DateTime now)
    {
        foreach (var tunnel in Tunnels)
        {
            if (tunnel.Phase is InitiatorPhase.Idle or InitiatorPhase.SaInit or InitiatorPhase.Auth)
            {
                tunnel.Close(now);
                _stats.TunnelAborted();
            }
        }
    }

    private async Task TeardownAsync(DateTime startedUtc, Stopwatch clock)
    {
        // A rekey or roam still on the wire must finish first (one request at a time): give it the teardown wait too.
        var deadline = clock.Elapsed + TeardownWait;
        var pending = Tunnels.Where(t => t.Phase == InitiatorPhase.Established).ToList();
        while (pending.Count > 0 && clock.Elapsed < deadline)
        {
            foreach (var tunnel in pending.ToList())
            {
                tunnel.Close(startedUtc + clock.Elapsed);
                if (tunnel.Phase != InitiatorPhase.Established)
                    pending.Remove(tunnel);
            }
            await Task.Delay(SchedulerPeriod);
            TickDue(startedUtc + clock.Elapsed);
        }
        while (clock.Elapsed < deadline && Tunnels.Any(t => t.Phase == InitiatorPhase.Deleting))
        {
            await Task.Delay(SchedulerPeriod);
            TickDue(startedUtc + clock.Elapsed);
        }
    }

    private LoadReport BuildReport(DateTime startedUtc, TimeSpan wallTime, TimeSpan handshakeTime, int started, TimeSpan cpu, TimeSpan cpuWall)
    {
        var latencies = _stats.LatenciesSorted();
        int established = latencies.Count;
        int failed = _stats.Failed;
        int finished = established + failed;
        List<Tunnel> tunnels;
        lock (_all)
            tunnels = _all.ToList();
        return new LoadReport
        {
            Target = _options.Target.ToString(),
            Profile = _profile.Name,
            Auth = _credentials.Method.ToString(),
            StartedUtc = startedUtc,
            DurationSeconds = Math.Round(wallTime.TotalSeconds, 3),
            Concurrency = _options.Concurrency,
            Rate = _options.Rate,
            Total = _options.Total,
            Sources = _sources.Count,
            Attempted = started,
            Established = established,
            Failed = failed,
            Aborted = _stats.Aborted,
            FailuresByReason = _stats.FailuresByReason(),
            Retries = new RetrySummary(_stats.Cookies, _stats.KeRetries, _stats.Redirects),
            Closed = _stats.Closed,
            // Over the time the handshakes took: with ESP, roams or rekeys the run goes on after the last one.
            HandshakesPerSecond = handshakeTime.TotalSeconds > 0 ? Math.Round(established / handshakeTime.TotalSeconds, 2) : 0,
            Latency = new LatencySummary(Percentiles.OfSorted(latencies, 50), Percentiles.OfSorted(latencies, 90),
                Percentiles.OfSorted(latencies, 99), latencies.Count > 0 ? latencies[^1] : null,
                latencies.Count > 0 ? Math.Round(latencies.Average(), 2) : null),
            Cpu = new CpuSummary(Math.Round(cpu.TotalMilliseconds, 1), finished > 0 ? Math.Round(cpu.TotalMilliseconds / finished, 3) : null,
                cpuWall.TotalSeconds > 0 ? Math.Round(cpu.TotalSeconds / cpuWall.TotalSeconds, 3) : 0, Environment.ProcessorCount,
                Math.Round(cpuWall.TotalSeconds, 3)),
            Timeline = _stats.Timeline(),
            Esp = _work?.EspSummary(tunnels),
            Exchanges = new ExchangesReport(_exchanges.Summary(InitiatorExchange.AddressUpdate), _exchanges.Summary(InitiatorExchange.ChildRekey),
                _exchanges.Summary(InitiatorExchange.IkeRekey), _exchanges.Summary(InitiatorExchange.ChildDelete),
                _exchanges.GatewayChildRekeys, _exchanges.GatewayIkeRekeys, _exchanges.GatewayInformational, _exchanges.SasLost,
                _exchanges.FailureReasons()),
        };
    }
}
