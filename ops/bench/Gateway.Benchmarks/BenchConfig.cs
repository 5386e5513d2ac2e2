using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Gateway.Benchmarks;

/// <summary>
/// A short job for a 2-core machine: 1 launch, 3 warm-ups, 6 measured iterations of ~200 ms, in process (no
/// generated project to build, so nothing can break on the repository's build settings). MemoryDiagnoser shows
/// per-operation allocation.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig(bool quick = false)
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(quick ? 1 : 3)
            .WithIterationCount(quick ? 3 : 6)
            .WithIterationTime(TimeInterval.FromMilliseconds(quick ? 100 : 200))
            .WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddLogger(ConsoleLogger.Default);
        AddExporter(MarkdownExporter.GitHub);
        WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
        WithArtifactsPath(Path.Combine(Fixtures.RepositoryRoot, "ops", "bench", "BenchmarkDotNet.Artifacts"));
    }
}
