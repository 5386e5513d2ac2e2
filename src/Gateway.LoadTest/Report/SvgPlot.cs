using System.Globalization;
using System.Security;
using System.Text;
using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Report;

/// <summary>One line of a plot: a name and (x, y) points; a null y is a gap (nothing measured that second).</summary>
public sealed record PlotSeries(string Name, string Color, IReadOnlyList<(double X, double? Y)> Points);

/// <summary>
/// Line plots as plain SVG text (no drawing library): axes with a few ticks, one <c>polyline</c> per run of measured
/// points of each series (marked <c>class="series" data-series="NAME"</c>), and a legend. Enough to see a run's shape
/// in a browser or in report.md.
/// </summary>
public static class SvgPlot
{
    private const int Width = 720, Height = 320, Left = 64, Right = 150, Top = 36, Bottom = 44;

    /// <summary>Handshakes established and failed per second of the run.</summary>
    public static string Rate(IReadOnlyList<TimelinePoint> timeline) => Render(
        "Handshakes per second", "second of the run", "per second",
        [
            new PlotSeries("established/s", "#1f77b4", timeline.Select(p => ((double)p.Second, (double?)p.Established)).ToList()),
            new PlotSeries("failed/s", "#d62728", timeline.Select(p => ((double)p.Second, (double?)p.Failed)).ToList()),
        ]);

    /// <summary>Latency percentiles of the handshakes established in each second.</summary>
    public static string Latency(IReadOnlyList<TimelinePoint> timeline) => Render(
        "Handshake latency", "second of the run", "ms",
        [
            new PlotSeries("p50", "#2ca02c", timeline.Select(p => ((double)p.Second, p.P50Ms)).ToList()),
            new PlotSeries("p99", "#ff7f0e", timeline.Select(p => ((double)p.Second, p.P99Ms)).ToList()),
        ]);

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        var measured = series.SelectMany(s => s.Points).Where(p => p.Y is not null).ToList();
        double xMin = measured.Count > 0 ? measured.Min(p => p.X) : 0;
        double xMax = measured.Count > 0 ? measured.Max(p => p.X) : 1;
        if (xMax <= xMin) xMax = xMin + 1;
        double yMax = NiceCeiling(measured.Count > 0 ? measured.Max(p => p.Y!.Value) : 1);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Sx(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Sy(double y) => Top + plotH - y / yMax * plotH;

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<title>{Esc(title)}</title>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Esc(title)}</text>");

        // Axes and ticks (five steps on each).
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"<g class=\"axes\" stroke=\"#444\"><line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/></g>");
        for (int i = 0; i <= 5; i++)
        {
            double yv = yMax * i / 5, y = Sy(yv);
            double xv = xMin + (xMax - xMin) * i / 5, x = Sx(xv);
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"<line x1=\"{N(Left)}\" y1=\"{N(y)}\" x2=\"{N(Left + plotW)}\" y2=\"{N(y)}\" stroke=\"#ddd\"/><text x=\"{N(Left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{N(yv)}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"<text x=\"{N(x)}\" y=\"{N(Top + plotH + 16)}\" text-anchor=\"middle\">{N(xv)}</text>");
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"<text x=\"14\" y=\"{N(Top + plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {N(Top + plotH / 2)})\">{Esc(yLabel)}</text>");

        // One polyline per contiguous run of measured points; a single point is drawn as a dot.
        int row = 0;
        foreach (var s in series)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{Esc(s.Name)}\" stroke=\"{s.Color}\" fill=\"none\" stroke-width=\"2\">");
            foreach (var run in Runs(s.Points))
            {
                if (run.Count == 1)
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Sx(run[0].X))}\" cy=\"{N(Sy(run[0].Y))}\" r=\"2.5\" fill=\"{s.Color}\"/>");
                else
                    svg.AppendLine(CultureInfo.InvariantCulture,
                        $"<polyline points=\"{string.Join(' ', run.Select(p => N(Sx(p.X)) + "," + N(Sy(p.Y))))}\"/>");
            }
            svg.AppendLine("</g>");
            double ly = Top + 10 + row++ * 18;
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"<g class=\"legend\"><line x1=\"{N(Left + plotW + 14)}\" y1=\"{N(ly)}\" x2=\"{N(Left + plotW + 34)}\" y2=\"{N(ly)}\" stroke=\"{s.Color}\" stroke-width=\"2\"/><text x=\"{N(Left + plotW + 40)}\" y=\"{N(ly + 4)}\">{Esc(s.Name)}</text></g>");
        }
        if (measured.Count == 0)
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + plotW / 2)}\" y=\"{N(Top + plotH / 2)}\" text-anchor=\"middle\">no data</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static IEnumerable<List<(double X, double Y)>> Runs(IReadOnlyList<(double X, double? Y)> points)
    {
        var run = new List<(double X, double Y)>();
        foreach (var (x, y) in points.OrderBy(p => p.X))
        {
            if (y is { } v && double.IsFinite(v)) { run.Add((x, v)); continue; }
            if (run.Count > 0) { yield return run; run = []; }
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>1, 2 or 5 × a power of ten, at least <paramref name="v"/> (so the ticks are round numbers).</summary>
    private static double NiceCeiling(double v)
    {
        if (!(v > 0) || !double.IsFinite(v)) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1.0, 2, 5, 10 })
            if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Esc(string s) => SecurityElement.Escape(s);
}
