namespace Gateway.LoadTest.Stats;

/// <summary>One second of the run: what finished in it.</summary>
public sealed record TimelinePoint(int Second, int Established, int Failed, double? P50Ms, double? P99Ms);

/// <summary>
/// What a run counted, safe to update from many threads. Latencies are kept whole (8 bytes per handshake: a million
/// handshakes are 8 MB), so percentiles are exact.
/// </summary>
public sealed class RunStatistics
{
    private readonly object _gate = new();
    private readonly List<double> _latencies = [];
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (int Established, int Failed, List<double> Latencies)> _seconds = [];
    private int _started;
    private int _cookies;
    private int _keRetries;
    private int _redirects;
    private int _closed;
    private int _aborted;

    public int Started => Volatile.Read(ref _started);
    public int Established { get { lock (_gate) return _latencies.Count; } }
    public int Failed { get { lock (_gate) return _failures.Values.Sum(); } }
    public int Aborted => Volatile.Read(ref _aborted);
    public int Closed => Volatile.Read(ref _closed);
    public int Cookies => Volatile.Read(ref _cookies);
    public int KeRetries => Volatile.Read(ref _keRetries);
    public int Redirects => Volatile.Read(ref _redirects);

    public void TunnelStarted() => Interlocked.Increment(ref _started);
    public void CookieRound() => Interlocked.Increment(ref _cookies);
    public void KeRetry() => Interlocked.Increment(ref _keRetries);
    public void Redirect() => Interlocked.Increment(ref _redirects);
    public void TunnelClosed() => Interlocked.Increment(ref _closed);
    public void TunnelAborted() => Interlocked.Increment(ref _aborted);

    public void TunnelEstablished(TimeSpan latency, TimeSpan sinceStart)
    {
        double ms = latency.TotalMilliseconds;
        lock (_gate)
        {
            _latencies.Add(ms);
            var s = Second(sinceStart);
            _seconds[(int)sinceStart.TotalSeconds] = (s.Established + 1, s.Failed, s.Latencies);
            s.Latencies.Add(ms);
        }
    }

    public void TunnelFailed(string reason, TimeSpan sinceStart)
    {
        lock (_gate)
        {
            _failures[reason] = _failures.GetValueOrDefault(reason) + 1;
            var s = Second(sinceStart);
            _seconds[(int)sinceStart.TotalSeconds] = (s.Established, s.Failed + 1, s.Latencies);
        }
    }

    private (int Established, int Failed, List<double> Latencies) Second(TimeSpan sinceStart) =>
        _seconds.TryGetValue((int)sinceStart.TotalSeconds, out var s) ? s : (0, 0, []);

    public IReadOnlyDictionary<string, int> FailuresByReason()
    {
        lock (_gate)
            return new SortedDictionary<string, int>(_failures, StringComparer.Ordinal);
    }

    public List<double> LatenciesSorted()
    {
        lock (_gate)
            return _latencies.Order().ToList();
    }

    /// <summary>Latencies of the last <paramref name="window"/> of handshakes (the live line's percentiles).</summary>
    public List<double> RecentLatenciesSorted(int window)
    {
        lock (_gate)
            return _latencies.Skip(Math.Max(0, _latencies.Count - window)).Order().ToList();
    }

    public IReadOnlyList<TimelinePoint> Timeline()
    {
        lock (_gate)
        {
            return _seconds.OrderBy(kv => kv.Key).Select(kv =>
            {
                var sorted = kv.Value.Latencies.Order().ToList();
                return new TimelinePoint(kv.Key, kv.Value.Established, kv.Value.Failed,
                    Percentiles.OfSorted(sorted, 50), Percentiles.OfSorted(sorted, 99));
            }).ToList();
        }
    }
}
