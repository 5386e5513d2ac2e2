namespace Gateway.Ike.Tests;

public class ProposalSyntaxTests
{
    private static Proposal Parse(string text, ProtocolId protocol = ProtocolId.Ike)
    {
        var r = ProposalSyntax.Parse(text, protocol);
        Assert.True(r.IsSuccess, r.Error);
        return r.Proposal!;
    }

    private static string[] Ids(Proposal p, TransformType type) =>
        [.. p.OfType(type).Select(t => t.KeyLength is { } k ? $"{t.Id}/{k}" : t.Id.ToString())];

    [Fact]
    public void Simple_ike_proposal_derives_prf_from_integrity()
    {
        var p = Parse("aes256-sha256-modp2048");
        Assert.Equal(["12/256"], Ids(p, TransformType.Encryption));
        Assert.Equal(["12"], Ids(p, TransformType.Integrity));
        Assert.Equal(["5"], Ids(p, TransformType.PseudorandomFunction));
        Assert.Equal(["14"], Ids(p, TransformType.KeyExchange));
        Assert.Empty(Ids(p, TransformType.ExtendedSequenceNumbers));
        Assert.Equal("aes256-sha256-prfsha256-modp2048", ProposalSyntax.Format(p));
    }

    [Fact]
    public void Several_algorithms_per_type_keep_order_and_derive_one_prf_each()
    {
        var p = Parse("aes128-aes256-sha1-sha256-modp2048-ecp256");
        Assert.Equal(["12/128", "12/256"], Ids(p, TransformType.Encryption));
        Assert.Equal(["2", "12"], Ids(p, TransformType.Integrity));
        Assert.Equal(["2", "5"], Ids(p, TransformType.PseudorandomFunction));
        Assert.Equal(["14", "19"], Ids(p, TransformType.KeyExchange));
        Assert.Equal("aes128-aes256-sha1-sha256-prfsha1-prfsha256-modp2048-ecp256", ProposalSyntax.Format(p));
    }

    [Fact]
    public void Aead_ike_proposal_with_explicit_prf()
    {
        var p = Parse("aes128gcm16-prfsha256-x25519");
        Assert.Equal(["20/128"], Ids(p, TransformType.Encryption));
        Assert.Empty(Ids(p, TransformType.Integrity));
        Assert.Equal(["31"], Ids(p, TransformType.KeyExchange));
        Assert.Equal("aes128gcm16-prfsha256-curve25519", ProposalSyntax.Format(p));
    }

    [Theory]
    [InlineData("aes", "12/128")]
    [InlineData("aes192", "12/192")]
    [InlineData("3des", "3")]
    [InlineData("aes128gcm", "20/128")]
    [InlineData("aes256gcm8", "18/256")]
    [InlineData("aes256gcm12", "19/256")]
    [InlineData("aes128ccm8", "14/128")]
    [InlineData("aes256ccm16", "16/256")]
    [InlineData("chacha20poly1305", "28")]
    [InlineData("null", "11")]
    public void Encryption_keywords(string keyword, string expected)
    {
        bool aead = keyword.Contains("gcm") || keyword.Contains("ccm") || keyword.Contains("chacha");
        var p = Parse(aead ? $"{keyword}-prfsha256-modp2048" : $"{keyword}-sha1-modp2048");
        Assert.Equal([expected], Ids(p, TransformType.Encryption));
    }

    [Theory]
    [InlineData("sha", 2)] [InlineData("sha1", 2)] [InlineData("sha256", 12)] [InlineData("sha2_256", 12)]
    [InlineData("sha384", 13)] [InlineData("sha512", 14)] [InlineData("md5", 1)] [InlineData("aesxcbc", 5)]
    public void Integrity_keywords(string keyword, int id) =>
        Assert.Equal([id.ToString()], Ids(Parse($"aes128-{keyword}-modp2048"), TransformType.Integrity));

    [Theory]
    [InlineData("prfsha1", 2)] [InlineData("prfsha256", 5)] [InlineData("prfsha384", 6)] [InlineData("prfsha512", 7)]
    [InlineData("prfmd5", 1)] [InlineData("prfaesxcbc", 4)]
    public void Prf_keywords(string keyword, int id) =>
        Assert.Equal([id.ToString()], Ids(Parse($"aes128-sha1-{keyword}-modp2048"), TransformType.PseudorandomFunction));

    [Theory]
    [InlineData("modp768", 1)] [InlineData("modp1024", 2)] [InlineData("modp1536", 5)] [InlineData("modp2048", 14)]
    [InlineData("modp3072", 15)] [InlineData("modp4096", 16)] [InlineData("modp6144", 17)] [InlineData("modp8192", 18)]
    [InlineData("ecp192", 25)] [InlineData("ecp224", 26)] [InlineData("ecp256", 19)] [InlineData("ecp384", 20)] [InlineData("ecp521", 21)]
    [InlineData("ecp224bp", 27)] [InlineData("ecp256bp", 28)] [InlineData("ecp384bp", 29)] [InlineData("ecp512bp", 30)]
    [InlineData("curve25519", 31)] [InlineData("x25519", 31)] [InlineData("curve448", 32)] [InlineData("x448", 32)]
    public void Group_keywords(string keyword, int id) =>
        Assert.Equal([id.ToString()], Ids(Parse($"aes128-sha1-{keyword}"), TransformType.KeyExchange));

    [Fact]
    public void Esp_defaults_to_noesn_and_group_means_pfs()
    {
        var p = Parse("aes128-sha1", ProtocolId.Esp);
        Assert.Equal(["0"], Ids(p, TransformType.ExtendedSequenceNumbers));
        Assert.Empty(Ids(p, TransformType.KeyExchange));
        Assert.Equal("aes128-sha1-noesn", ProposalSyntax.Format(p));

        var pfs = Parse("aes256gcm16-modp2048-esn-noesn", ProtocolId.Esp);
        Assert.Equal(["14"], Ids(pfs, TransformType.KeyExchange));
        Assert.Equal(["1", "0"], Ids(pfs, TransformType.ExtendedSequenceNumbers));
        Assert.Equal("aes256gcm16-modp2048-esn-noesn", ProposalSyntax.Format(pfs));
    }

    [Fact]
    public void Windows_default_ike_and_esp_proposals_parse()
    {
        // Windows 7-11 defaults (DESIGN.md): 3DES/AES-CBC-128/192/256 with SHA1/SHA256/SHA384 and MODP1024;
        // Windows 11 adds AES-GCM-128/256; ESP: AES-256, AES-128, 3DES with SHA1.
        var ike = ProposalSyntax.ParseList(
            "3des-sha1-modp1024,aes128-sha1-modp1024,aes192-sha1-modp1024,aes256-sha1-modp1024," +
            "aes128-sha256-modp1024,aes256-sha256-modp1024,aes256-sha384-modp1024," +
            "aes128gcm16-prfsha256-modp1024,aes256gcm16-prfsha384-modp1024", ProtocolId.Ike);
        Assert.Equal(9, ike.Count);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (byte)i), ike.Select(p => p.Number));
        var esp = ProposalSyntax.ParseList("aes256-sha1,aes128-sha1,3des-sha1", ProtocolId.Esp);
        Assert.All(esp, p => Assert.Equal(["0"], Ids(p, TransformType.ExtendedSequenceNumbers)));
        foreach (var p in ike.Concat(esp))
            DeepEqual.AssertEqual(p, ProposalSyntax.Parse(ProposalSyntax.Format(p), p.Protocol, p.Number).Proposal);
    }

    [Theory]
    [InlineData("aes256-sha256-modp2049", ProtocolId.Ike, "modp2049")]
    [InlineData("aes256-sha256", ProtocolId.Ike, "key exchange")]
    [InlineData("aes256-modp2048", ProtocolId.Ike, "integrity")]
    [InlineData("sha256-modp2048", ProtocolId.Ike, "encryption")]
    [InlineData("aes128gcm16-modp2048", ProtocolId.Ike, "PRF")]
    [InlineData("aes128gcm16-sha256-prfsha256-modp2048", ProtocolId.Ike, "integrity")]
    [InlineData("aes128-aes128gcm16-sha256-modp2048", ProtocolId.Ike, "mixes")]
    [InlineData("aes128-sha256-modp2048-esn", ProtocolId.Ike, "ESN")]
    [InlineData("aes128-sha256-prfsha256", ProtocolId.Esp, "PRF")]
    [InlineData("", ProtocolId.Esp, "empty")]
    [InlineData("aes128--sha1", ProtocolId.Esp, "''")]
    public void Errors_name_the_problem(string text, ProtocolId protocol, string mention)
    {
        var r = ProposalSyntax.Parse(text, protocol);
        Assert.False(r.IsSuccess);
        Assert.Contains(mention, r.Error);
    }
}
