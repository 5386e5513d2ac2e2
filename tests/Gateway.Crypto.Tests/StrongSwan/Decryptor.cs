using Gateway.Ike;

namespace Gateway.Crypto.Tests.StrongSwan;

/// <summary>Opens the SK and SKF messages of a capture with our SK code, reassembling fragments (RFC 7383).</summary>
internal static class Decryptor
{
    public sealed record Opened(CapturedScenario.Packet First, byte[] Plaintext, string? Inner);

    public static IEnumerable<Opened> OpenAll(CapturedScenario s)
    {
        var suite = NegotiatedSuite.Of(s);
        using var keys = suite.DeriveKeys(s);
        using var fromInitiator = suite.Protection(keys, fromInitiator: true);
        using var fromResponder = suite.Protection(keys, fromInitiator: false);
        var fragments = new SortedDictionary<int, byte[]>();
        CapturedScenario.Packet? firstFragment = null;
        var opened = new List<Opened>();

        foreach (var packet in s.Packets.Where(p => p.Message.IsEncrypted))
        {
            var protection = packet.Message.Header.IsInitiator ? fromInitiator : fromResponder;
            Assert.True(EncryptedMessageLayout.TryLocate(packet.Bytes, out var regions), $"{packet.Name}: SK not found");
            var body = packet.Bytes.AsSpan(regions.Body);
            var plaintext = new byte[protection.MaxPlaintextLength(body.Length)];
            Assert.True(protection.TryOpen(packet.Bytes.AsSpan(regions.AssociatedData), body, plaintext, out var length),
                $"{s.Name}/{packet.Name}: our SK code could not open strongSwan's message");
            var content = plaintext[..length];

            if (packet.Message.Find<EncryptedFragmentPayload>() is { } skf)
            {
                if (skf.FragmentNumber == 1)
                    firstFragment = packet;
                fragments[skf.FragmentNumber] = content; // a retransmitted fragment replaces its twin
                if (fragments.Count == skf.TotalFragments && firstFragment is not null)
                {
                    opened.Add(new Opened(firstFragment, fragments.Values.SelectMany(f => f).ToArray(), packet.Inner));
                    fragments.Clear();
                    firstFragment = null;
                }
            }
            else
            {
                opened.Add(new Opened(packet, content, packet.Inner));
            }
        }
        Assert.Empty(fragments);
        return opened;
    }

    public static IReadOnlyList<Payload> ParseInner(Opened m)
    {
        var first = m.First.Message.Find<EncryptedPayload>()?.FirstInnerPayload
            ?? m.First.Message.Find<EncryptedFragmentPayload>()!.FirstInnerPayload;
        var parsed = PayloadChain.Parse(first, m.Plaintext, m.First.Message.Header.IsResponse);
        Assert.True(parsed.IsSuccess, $"{m.First.Name}: {parsed.Failure}");
        return parsed.Value!;
    }
}
