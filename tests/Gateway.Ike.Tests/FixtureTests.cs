namespace Gateway.Ike.Tests;

/// <summary>
/// Every fixture under tests/fixtures (hand-made ones and strongSwan captures) parses, rebuilds byte for byte, and
/// describes itself as strongSwan logged it. SK-protected captures cannot show their inner payloads without keys,
/// so for them only the part before '[' is compared, unless the .expect lists the SK itself ("E"/"EF").
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
            bool opaque = parsed.Value.IsEncrypted && !f.Expected.Contains(" E ]") && !f.Expected.Contains(" EF(");
            if (opaque)
                Assert.True(f.Expected.StartsWith(described[..described.IndexOf('[')], StringComparison.Ordinal), $"{f.RelativePath}: {described} vs {f.Expected}");
            else
                Assert.True(f.Expected == described, $"{f.RelativePath}:\n expected {f.Expected}\n actual   {described}");
        }
    }

    /// <summary>The hand-made fixtures are the bytes of <see cref="TestData"/>; set GATEWAY_WRITE_FIXTURES=1 to rewrite them.</summary>
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
            return; // rebuild to copy the new files, then run again
        }
        foreach (var (name, message) in TestData.All())
        {
            var fixture = FixtureFiles.LoadAll().SingleOrDefault(f => f.RelativePath == Path.Combine("handmade", name + ".hex"));
            Assert.NotNull(fixture);
            Assert.Equal(message.ToArray(), fixture.Bytes);
        }
    }
}
