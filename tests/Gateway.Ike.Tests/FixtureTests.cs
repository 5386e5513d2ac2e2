namespace Gateway.Ike.Tests;

/// <summary>
/// Every fixture under tests/fixtures (hand-made ones and strongSwan captures) parses, rebuilds byte for byte, and
/// describes itself as strongSwan logged it (for SK-protected messages the outer form, "[ SK ]" or "[ EF(i/n) ]";
/// the inner payloads are checked after decryption in Gateway.Crypto.Tests).
/// </summary>
public class FixtureTests
{
    [Fact]
    public void Every_fixture_parses_round_trips_and_matches_its_description()
    {
        var fixtures = FixtureFiles.LoadAll();
        Assert.NotEmpty(fixtures);
        foreach (var f in fixtures)
        {
            var parsed = IkeMessage.Parse(f.Bytes);
            Assert.True(parsed.IsSuccess, $"{f.RelativePath}: {parsed.Failure}");
            Assert.True(f.Bytes.AsSpan().SequenceEqual(parsed.Value!.ToArray()), $"{f.RelativePath}: rebuilt bytes differ");
            if (f.Expected is null)
                continue;
            var described = IkeMessageDescription.Describe(parsed.Value);
            Assert.True(f.Expected == described, $"{f.RelativePath}:\n expected {f.Expected}\n actual   {described}");
        }
    }

    /// <summary>The hand-made fixtures are the bytes of <see cref="TestData"/>; set GATEWAY_WRITE_FIXTURES=1 to rewrite them first.</summary>
    [Fact]
    public void Handmade_fixtures_match_the_test_data_builders()
    {
        var sourceDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "handmade"));
        if (Environment.GetEnvironmentVariable("GATEWAY_WRITE_FIXTURES") == "1")
        {
            Directory.CreateDirectory(sourceDir);
            foreach (var (name, message) in TestData.All())
            {
                var hex = Convert.ToHexString(message.ToArray()).ToLowerInvariant();
                File.WriteAllText(Path.Combine(sourceDir, name + ".hex"), string.Join('\n', hex.Chunk(64).Select(c => new string(c))) + "\n");
            }
        }
        // Compare with the files in the source tree (the copies next to the assembly may predate a rewrite).
        foreach (var (name, message) in TestData.All())
        {
            var path = Path.Combine(sourceDir, name + ".hex");
            Assert.True(File.Exists(path), $"missing fixture {path}");
            Assert.Equal(message.ToArray(), FixtureFiles.ParseHex(File.ReadAllText(path)));
        }
    }
}
