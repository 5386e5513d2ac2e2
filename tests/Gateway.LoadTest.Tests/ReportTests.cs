using System.Text.Json;
using System.Xml.Linq;
using Gateway.LoadTest.Report;
using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Tests;

public sealed class ReportTests
{
    [Theory]
    [InlineData(50, 5.0)]
    [InlineData(90, 9.0)]
    [InlineData(99, 10.0)]
    [InlineData(100, 10.0)]
    [InlineData(0, 1.0)]
    [InlineData(10, 1.0)]
    [InlineData(11, 2.0)]
    public void Nearest_rank_percentiles_of_one_to_ten(double percent, double expected) =>
        Assert.Equal(expected, Percentiles.OfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], percent));

    [Fact]
    public void Percentiles_of_nothing_are_null_and_of_one_sample_that_sample()
    {
        Assert.Null(Percentiles.OfSorted([], 50));
        Assert.Equal(7.0, Percentiles.OfSorted([7], 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.OfSorted([1], 101));
        Assert.Equal((2.0, 3.0, 3.0), Percentiles.Summary([3, 1, 2]));
    }

    private static LoadReport Sample()
    {
        var stats = new RunStatistics();
        stats.TunnelEstablished(TimeSpan.FromMilliseconds(40), TimeSpan.FromSeconds(0.5));
        stats.TunnelEstablished(TimeSpan.FromMilliseconds(60), TimeSpan.FromSeconds(1.5));
        stats.TunnelFailed("AuthenticationFailed", TimeSpan.FromSeconds(1.7));
        return new LoadReport
        {
            Target = "10.99.1.1:500", Profile = "windows", Auth = "Eap", StartedUtc = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            DurationSeconds = 2, Concurrency = 10, Rate = 5, Total = 3, Sources = 1, Attempted = 3, Established = 2, Failed = 1,
            Aborted = 0, FailuresByReason = stats.FailuresByReason(), Retries = new RetrySummary(1, 0, 0), Closed = 2,
            HandshakesPerSecond = 1, Latency = new LatencySummary(40, 60, 60, 60, 50), Cpu = new CpuSummary(30, 10, 0.015, 2, 2),
            Timeline = stats.Timeline(),
        };
    }

    [Fact]
    public void Json_has_snake_case_fields_and_reads_back()
    {
        var json = ReportWriter.ToJson(Sample());
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("established").GetInt32());
        Assert.Equal(1, root.GetProperty("failures_by_reason").GetProperty("AuthenticationFailed").GetInt32());
        Assert.Equal(10, root.GetProperty("cpu").GetProperty("per_handshake_ms").GetDouble());
        Assert.Equal(60, root.GetProperty("latency").GetProperty("p99_ms").GetDouble());
        Assert.Equal(2, root.GetProperty("timeline").GetArrayLength());
        var back = ReportWriter.FromJson(json)!;
        Assert.Equal(1, back.Timeline[1].Failed);
        Assert.Equal(60.0, back.Timeline[1].P50Ms);
    }

    [Fact]
    public void Markdown_shows_the_counts_failures_and_timeline()
    {
        var md = ReportWriter.ToMarkdown(Sample());
        Assert.Contains("| established | 2 |", md);
        Assert.Contains("| AuthenticationFailed | 1 |", md);
        Assert.Contains("| CPU per handshake (ms, this process) | 10 |", md);
        Assert.Contains("| 1 | 1 | 1 | 60 | 60 |", md);
        Assert.Contains("![handshakes per second](rate.svg)", md);
        Assert.Contains("![latency p50 and p99](latency.svg)", md);
    }

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // The series' drawn points, in SVG coordinates, by series name (parsing the SVG as XML fails on malformed text).
    private static Dictionary<string, List<(double X, double Y)>> SeriesOf(string svg)
    {
        var doc = XDocument.Parse(svg);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "series").ToDictionary(
            g => (string)g.Attribute("data-series")!,
            g => g.Elements(Svg + "polyline").SelectMany(l => ((string)l.Attribute("points")!).Split(' ')
                    .Select(pt => pt.Split(',')).Select(xy => (double.Parse(xy[0], System.Globalization.CultureInfo.InvariantCulture),
                        double.Parse(xy[1], System.Globalization.CultureInfo.InvariantCulture))))
                .Concat(g.Elements(Svg + "circle").Select(c => ((double)c.Attribute("cx")!, (double)c.Attribute("cy")!)))
                .ToList());
    }

    [Fact]
    public void Rate_plot_is_well_formed_svg_with_established_and_failed_series()
    {
        var series = SeriesOf(SvgPlot.Rate(Sample().Timeline));
        Assert.Equal(["established/s", "failed/s"], series.Keys.Order().ToArray());
        Assert.Equal(2, series["established/s"].Count); // seconds 0 and 1, one each
        Assert.Equal(2, series["failed/s"].Count);      // 0 then 1: the second point is higher (smaller y)
        Assert.True(series["failed/s"][1].Y < series["failed/s"][0].Y);
        Assert.True(series["established/s"][1].X > series["established/s"][0].X);
    }

    [Fact]
    public void Latency_plot_has_p50_and_p99_and_leaves_gaps_for_seconds_without_handshakes()
    {
        var timeline = new List<TimelinePoint>
        {
            new(0, 2, 0, 40, 60), new(1, 0, 1, null, null), new(2, 3, 0, 50, 90), new(3, 3, 0, 55, 80),
        };
        string svg = SvgPlot.Latency(timeline);
        var series = SeriesOf(svg);
        Assert.Equal(["p50", "p99"], series.Keys.Order().ToArray());
        Assert.Equal(3, series["p99"].Count); // second 1 measured nothing
        var doc = XDocument.Parse(svg);
        var p99 = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("data-series") == "p99");
        Assert.Single(p99.Elements(Svg + "circle"));   // second 0 alone
        Assert.Single(p99.Elements(Svg + "polyline")); // seconds 2-3
        Assert.Contains("Handshake latency", svg);
    }

    [Fact]
    public void Plot_of_an_empty_run_is_still_well_formed()
    {
        var series = SeriesOf(SvgPlot.Rate([]));
        Assert.All(series.Values, Assert.Empty);
        Assert.Contains("no data", SvgPlot.Latency([]));
    }

    [Fact]
    public void Write_puts_both_files_in_the_directory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "loadtest-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            ReportWriter.Write(dir, Sample());
            Assert.True(File.Exists(Path.Combine(dir, "report.json")));
            Assert.True(File.Exists(Path.Combine(dir, "report.md")));
            Assert.True(File.Exists(Path.Combine(dir, "rate.svg")));
            Assert.True(File.Exists(Path.Combine(dir, "latency.svg")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
