using Gateway.Core.Initiator;

namespace Gateway.LoadTest.Stats;

/// <summary>Attempts, answers and failures of one kind of exchange on established tunnels, with the answers' latencies.</summary>
public sealed record ExchangeSummary(int Attempted, int Succeeded, int Failed, int Unfinished, double? P50Ms, double? P99Ms, double? MaxMs);

/// <summary>
/// What happened on established tunnels: our rekeys and roams (latency from request to answer), the gateway's rekeys
/// and other requests we answered (liveness checks among them), SAs lost. Safe to update from many threads.
/// </summary>
public sealed class ExchangeStatistics
{
    private readonly object _gate = new();
    private readonly Dictionary<InitiatorExchange, (int Attempted, int Failed, List<double> Latencies)> _ours = [];
    private readonly Dictionary<string, int> _failureReasons = new(StringComparer.Ordinal);
    private int _gatewayChildRekeys;
    private int _gatewayIkeRekeys;
    private int _gatewayInformational;
    private int _sasLost;

    public int GatewayChildRekeys => Volatile.Read(ref _gatewayChildRekeys);
    public int GatewayIkeRekeys => Volatile.Read(ref _gatewayIkeRekeys);

    /// <summary>INFORMATIONAL requests of the gateway we answered: liveness checks, return-routability checks, deletes.</summary>
    public int GatewayInformational => Volatile.Read(ref _gatewayInformational);

    /// <summary>Tunnels given up because an exchange of ours went unanswered.</summary>
    public int SasLost => Volatile.Read(ref _sasLost);

    public void Started(InitiatorExchange exchange)
    {
        lock (_gate)
        {
            var e = Entry(exchange);
            _ours[exchange] = (e.Attempted + 1, e.Failed, e.Latencies);
        }
    }

    public void Done(InitiatorExchange exchange, TimeSpan elapsed)
    {
        lock (_gate)
            Entry(exchange).Latencies.Add(elapsed.TotalMilliseconds);
    }

    public void Failed(ExchangeFailed failed)
    {
        lock (_gate)
        {
            var e = Entry(failed.Exchange);
            _ours[failed.Exchange] = (e.Attempted, e.Failed + 1, e.Latencies);
            string key = $"{failed.Exchange}: {failed.Detail}";
            _failureReasons[key] = _failureReasons.GetValueOrDefault(key) + 1;
        }
        if (failed.SaLost)
            Interlocked.Increment(ref _sasLost);
    }

    public void GatewayRekeyedChild() => Interlocked.Increment(ref _gatewayChildRekeys);
    public void GatewayRekeyedIke() => Interlocked.Increment(ref _gatewayIkeRekeys);
    public void GatewayInformationalAnswered() => Interlocked.Increment(ref _gatewayInformational);

    public ExchangeSummary Summary(InitiatorExchange exchange)
    {
        lock (_gate)
        {
            var e = Entry(exchange);
            var sorted = e.Latencies.Order().ToList();
            return new ExchangeSummary(e.Attempted, sorted.Count, e.Failed, e.Attempted - sorted.Count - e.Failed,
                Percentiles.OfSorted(sorted, 50), Percentiles.OfSorted(sorted, 99), sorted.Count > 0 ? Math.Round(sorted[^1], 2) : null);
        }
    }

    public IReadOnlyDictionary<string, int> FailureReasons()
    {
        lock (_gate)
            return new SortedDictionary<string, int>(_failureReasons, StringComparer.Ordinal);
    }

    private (int Attempted, int Failed, List<double> Latencies) Entry(InitiatorExchange exchange) =>
        _ours.TryGetValue(exchange, out var e) ? e : _ours[exchange] = (0, 0, []);
}
