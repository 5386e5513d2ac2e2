namespace Gateway.Ike.Tests;

/// <summary>Packet fixtures copied next to the test assembly: fixtures/**/*.hex with optional .expect sidecars.</summary>
internal static class FixtureFiles
{
    public sealed record Fixture(string RelativePath, byte[] Bytes, string? Expected);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static IReadOnlyList<Fixture> LoadAll()
    {
        if (!Directory.Exists(Root))
            return [];
        return Directory.EnumerateFiles(Root, "*.hex", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path =>
            {
                var expectPath = Path.ChangeExtension(path, ".expect");
                return new Fixture(Path.GetRelativePath(Root, path), ParseHex(File.ReadAllText(path)),
                    File.Exists(expectPath) ? File.ReadAllText(expectPath).Trim() : null);
            })
            .ToList();
    }

    /// <summary>Hex with any whitespace, line breaks and '#' comments.</summary>
    public static byte[] ParseHex(string text)
    {
        var digits = new System.Text.StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var content = line.Split('#')[0];
            foreach (char c in content)
            {
                if (Uri.IsHexDigit(c))
                    digits.Append(c);
            }
        }
        return Convert.FromHexString(digits.ToString());
    }
}
