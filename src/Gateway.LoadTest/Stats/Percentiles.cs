namespace Gateway.LoadTest.Stats;

/// <summary>Nearest-rank percentiles (the value at rank ⌈p/100 · n⌉ of the sorted samples): every result is a real sample.</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="percent"/>th percentile of already sorted samples; null when there are none.</summary>
    public static double? OfSorted(IReadOnlyList<double> sorted, double percent)
    {
        if (percent is < 0 or > 100 || double.IsNaN(percent))
            throw new ArgumentOutOfRangeException(nameof(percent), "a percentile is between 0 and 100");
        if (sorted.Count == 0)
            return null;
        int rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public static (double? P50, double? P90, double? P99) Summary(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToList();
        return (OfSorted(sorted, 50), OfSorted(sorted, 90), OfSorted(sorted, 99));
    }
}
