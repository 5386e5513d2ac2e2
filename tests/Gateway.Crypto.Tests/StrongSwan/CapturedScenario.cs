using Gateway.Ike;

namespace Gateway.Crypto.Tests.StrongSwan;

/// <summary>
/// One scenario captured from a real strongSwan 5.9.8 client and gateway (tests/fixtures/strongswan/&lt;name&gt;, made by
/// ops/capture-fixtures.sh): the packets in wire order, their strongSwan descriptions, and the keys charon logged.
/// </summary>
internal sealed class CapturedScenario
{
    public sealed record Packet(string Name, byte[] Bytes, IkeMessage Message, string? Inner);

    private CapturedScenario(string name, IReadOnlyDictionary<string, string> keys, IReadOnlyList<Packet> packets)
    {
        Name = name;
        Keys = keys;
        Packets = packets;
    }

    public string Name { get; }
    public IReadOnlyDictionary<string, string> Keys { get; }
    public IReadOnlyList<Packet> Packets { get; }

    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "strongswan");

    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories(Root).Where(d => File.Exists(Path.Combine(d, "keys.txt"))).Select(Path.GetFileName).Order()!;

    public static CapturedScenario Load(string name)
    {
        var dir = Path.Combine(Root, name);
        var keys = File.ReadAllLines(Path.Combine(dir, "keys.txt"))
            .Where(l => l.Length > 0 && l[0] != '#' && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        var packets = Directory.EnumerateFiles(dir, "*.hex").Order(StringComparer.Ordinal).Select(path =>
        {
            var bytes = Convert.FromHexString(string.Concat(File.ReadAllText(path).Where(Uri.IsHexDigit)));
            var parsed = IkeMessage.Parse(bytes);
            Assert.True(parsed.IsSuccess, $"{name}/{Path.GetFileName(path)}: {parsed.Failure}");
            var innerPath = Path.ChangeExtension(path, ".inner");
            return new Packet(Path.GetFileName(path), bytes, parsed.Value!, File.Exists(innerPath) ? File.ReadAllText(innerPath).Trim() : null);
        }).ToList();
        return new CapturedScenario(name, keys, packets);
    }

    public byte[] Key(string name) => Convert.FromHexString(Keys[name]);

    /// <summary>The last packet of a kind: a capture may start with an INVALID_KE round trip before the real IKE_SA_INIT.</summary>
    public Packet Last(ExchangeType exchange, bool response) =>
        Packets.Last(p => p.Message.Header.ExchangeType == exchange && p.Message.Header.IsResponse == response);
}
