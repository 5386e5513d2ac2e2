using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Report;

public sealed record LatencySummary(double? P50Ms, double? P90Ms, double? P99Ms, double? MaxMs, double? MeanMs);

/// <summary>
/// The CPU this process used. <see cref="PerHandshakeMs"/> divides by finished handshakes (established + failed):
/// a failed handshake costs the initiator too.
/// </summary>
/// <summary>
/// This process's CPU over the run, teardown included (<paramref name="WallSeconds"/>; start-up and the report are not):
/// <paramref name="AverageCoresBusy"/> = TotalMs ÷ WallSeconds, of <paramref name="ProcessorCount"/> cores it may use
/// (its affinity: 1 when pinned to a core).
/// </summary>
public sealed record CpuSummary(double TotalMs, double? PerHandshakeMs, double AverageCoresBusy, int ProcessorCount, double WallSeconds);

public sealed record RetrySummary(int Cookies, int InvalidKe, int Redirects);

/// <summary>The final report (report.json; report.md renders the same values).</summary>
public sealed record LoadReport
{
    public string Tool { get; init; } = "Gateway.LoadTest";
    public required string Target { get; init; }
    public required string Profile { get; init; }
    public required string Auth { get; init; }
    public required DateTime StartedUtc { get; init; }
    public required double DurationSeconds { get; init; }
    public required int Concurrency { get; init; }
    public required double Rate { get; init; }
    public required int Total { get; init; }
    public required int Sources { get; init; }
    public required int Attempted { get; init; }
    public required int Established { get; init; }
    public required int Failed { get; init; }

    /// <summary>Handshakes still running when the run's time was up.</summary>
    public required int Aborted { get; init; }

    public required IReadOnlyDictionary<string, int> FailuresByReason { get; init; }
    public required RetrySummary Retries { get; init; }

    /// <summary>Tunnels deleted at the end (--teardown) or by the gateway.</summary>
    public required int Closed { get; init; }

    /// <summary>Established tunnels per second of the run's wall time.</summary>
    public required double HandshakesPerSecond { get; init; }

    public required LatencySummary Latency { get; init; }
    public required CpuSummary Cpu { get; init; }
    public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>ESP traffic (null when --esp-rate was 0).</summary>
    public EspSummary? Esp { get; init; }

    /// <summary>Roams, rekeys and the gateway's requests on established tunnels (null when none of that was asked for or happened).</summary>
    public ExchangesReport? Exchanges { get; init; }
}
