using System.Globalization;
using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Running;

/// <summary>The live line: established, failed by reason, in flight, rate, latency percentiles of recent handshakes.</summary>
public static class ProgressLine
{
    private const int RecentWindow = 1000;

    public static string Format(RunStatistics stats, int inFlight, TimeSpan elapsed)
    {
        var recent = stats.RecentLatenciesSorted(RecentWindow);
        var failures = stats.FailuresByReason();
        string failed = failures.Count == 0 ? "0" : $"{failures.Values.Sum()} ({string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))})";
        double rate = elapsed.TotalSeconds > 0 ? stats.Established / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed.TotalSeconds,6:0.0}s] established {stats.Established}  failed {failed}  in flight {inFlight}  " +
            $"{rate:0.0}/s  latency p50 {Ms(Percentiles.OfSorted(recent, 50))} p90 {Ms(Percentiles.OfSorted(recent, 90))} " +
            $"p99 {Ms(Percentiles.OfSorted(recent, 99))}");
    }

    private static string Ms(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) + "ms" : "-";
}
