namespace Gateway.Ike.Tests;

public class PropertyTests
{
    [Fact]
    public void Random_valid_messages_build_parse_equal_and_rebuild_identically()
    {
        var gen = new RandomMessages(20261125);
        for (int i = 0; i < 5000; i++)
        {
            var message = gen.Next();
            var bytes = message.ToArray();
            var parsed = IkeMessage.Parse(bytes);
            Assert.True(parsed.IsSuccess, $"case {i}: {parsed.Failure}");
            DeepEqual.AssertEqual(message, parsed.Value, $"case {i}");
            Assert.Equal(bytes, parsed.Value!.ToArray());
            Assert.True(IkeHeader.TryParse(bytes, out var h, out _));
            Assert.Equal(message.Header, h);
            // The description never throws and always names the exchange.
            Assert.EndsWith("]", IkeMessageDescription.Describe(parsed.Value));
        }
    }

    [Fact]
    public void Random_proposal_strings_round_trip_through_format()
    {
        var r = new Random(7);
        string[] enc = ["aes128", "aes192", "aes256", "3des", "null", "aes128ctr"];
        string[] aead = ["aes128gcm16", "aes256gcm16", "aes128gcm8", "aes256gcm12", "aes128ccm16", "chacha20poly1305"];
        string[] integ = ["sha1", "sha256", "sha384", "sha512", "md5", "aesxcbc"];
        string[] prf = ["prfsha1", "prfsha256", "prfsha384", "prfsha512"];
        string[] ke = ["modp1024", "modp2048", "ecp256", "ecp384", "curve25519", "curve448", "ecp256bp"];
        for (int i = 0; i < 2000; i++)
        {
            bool useAead = r.Next(2) == 0;
            var tokens = new List<string>();
            tokens.AddRange(Pick(r, useAead ? aead : enc));
            if (!useAead) tokens.AddRange(Pick(r, integ));
            if (useAead || r.Next(2) == 0) tokens.AddRange(Pick(r, prf));
            tokens.AddRange(Pick(r, ke));
            var text = string.Join('-', tokens);
            var parsed = ProposalSyntax.Parse(text, ProtocolId.Ike);
            Assert.True(parsed.IsSuccess, $"{text}: {parsed.Error}");
            var again = ProposalSyntax.Parse(ProposalSyntax.Format(parsed.Proposal!), ProtocolId.Ike);
            Assert.True(again.IsSuccess, again.Error);
            DeepEqual.AssertEqual(parsed.Proposal, again.Proposal);
        }
    }

    private static IEnumerable<string> Pick(Random r, string[] from) => from.OrderBy(_ => r.Next()).Take(r.Next(1, 3));
}
