using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.LoadTest.Report;

/// <summary>Writes the report as JSON (for scripts and tests) and Markdown (for people), from the same values.</summary>
public static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null, // failure reasons keep their names
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string ToJson(LoadReport report) => JsonSerializer.Serialize(report, Json);

    public static LoadReport? FromJson(string json) => JsonSerializer.Deserialize<LoadReport>(json, Json);

    public static string ToMarkdown(LoadReport r)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {r.Profile} against {r.Target}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Started {r.StartedUtc:u}, ran {F(r.DurationSeconds)} s; auth {r.Auth}; concurrency {r.Concurrency}, " +
                                                    $"rate {F(r.Rate)}/s, total {r.Total}, {r.Sources} source address(es).");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---|");
        Row(md, "attempted", r.Attempted.ToString(CultureInfo.InvariantCulture));
        Row(md, "established", r.Established.ToString(CultureInfo.InvariantCulture));
        Row(md, "failed", r.Failed.ToString(CultureInfo.InvariantCulture));
        Row(md, "aborted at the end", r.Aborted.ToString(CultureInfo.InvariantCulture));
        Row(md, "closed", r.Closed.ToString(CultureInfo.InvariantCulture));
        Row(md, "handshakes/s", F(r.HandshakesPerSecond));
        Row(md, "latency p50 / p90 / p99 / max (ms)", $"{F(r.Latency.P50Ms)} / {F(r.Latency.P90Ms)} / {F(r.Latency.P99Ms)} / {F(r.Latency.MaxMs)}");
        Row(md, "CPU per handshake (ms, this process)", F(r.Cpu.PerHandshakeMs));
        Row(md, "CPU total (ms) / cores busy on average (run and teardown)", $"{F(r.Cpu.TotalMs)} / {F(r.Cpu.AverageCoresBusy)} of {r.Cpu.ProcessorCount}");
        Row(md, "retries: cookie / INVALID_KE / redirect", $"{r.Retries.Cookies} / {r.Retries.InvalidKe} / {r.Retries.Redirects}");
        if (r.FailuresByReason.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Failures by reason");
            md.AppendLine();
            md.AppendLine("| reason | count |");
            md.AppendLine("|---|---|");
            foreach (var (reason, count) in r.FailuresByReason)
                Row(md, reason, count.ToString(CultureInfo.InvariantCulture));
        }
        if (r.Timeline.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Plots");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![handshakes per second]({RatePlotFile})");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![latency p50 and p99]({LatencyPlotFile})");
            md.AppendLine();
            md.AppendLine("## Per second");
            md.AppendLine();
            md.AppendLine("| s | established | failed | p50 ms | p99 ms |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var p in r.Timeline)
                md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Second} | {p.Established} | {p.Failed} | {F(p.P50Ms)} | {F(p.P99Ms)} |");
        }
        return md.ToString();
    }

    /// <summary>The plots next to report.md: handshakes per second, and latency p50/p99, over the run's seconds.</summary>
    public const string RatePlotFile = "rate.svg", LatencyPlotFile = "latency.svg";

    /// <summary>Writes report.json, report.md and the two SVG plots into <paramref name="directory"/> (created if needed).</summary>
    public static void Write(string directory, LoadReport report)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.json"), ToJson(report));
        File.WriteAllText(Path.Combine(directory, "report.md"), ToMarkdown(report));
        File.WriteAllText(Path.Combine(directory, RatePlotFile), SvgPlot.Rate(report.Timeline));
        File.WriteAllText(Path.Combine(directory, LatencyPlotFile), SvgPlot.Latency(report.Timeline));
    }

    private static void Row(StringBuilder md, string name, string value) => md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");

    private static string F(double? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "-";
}
