namespace Gateway.Ike;

/// <summary>
/// strongSwan's proposal keywords (swanctl.conf "proposals"/"esp_proposals"): each maps to one transform, with a
/// key length for the AES family. The first keyword listed for a transform is the one <see cref="ProposalSyntax.Format"/>
/// writes.
/// </summary>
internal static class ProposalKeywords
{
    internal readonly record struct Entry(string Keyword, TransformType Type, ushort Id, ushort? KeyLength);

    private static readonly Entry[] Entries = Build();

    private static readonly Dictionary<string, Entry> ByKeyword = Entries
        .GroupBy(e => e.Keyword, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

    public static bool TryGet(string keyword, out Entry entry) => ByKeyword.TryGetValue(keyword, out entry);

    /// <summary>The canonical keyword for a transform, or null when strongSwan has none.</summary>
    public static string? KeywordFor(Transform t)
    {
        var keyLength = t.KeyLength;
        foreach (var e in Entries)
        {
            if (e.Type == t.Type && e.Id == t.Id && e.KeyLength == keyLength)
                return e.Keyword;
        }
        return null;
    }

    /// <summary>Combined-mode ciphers: they bring their own integrity (RFC 5282, RFC 7634).</summary>
    public static bool IsAead(ushort encryptionId) => (EncryptionAlgorithm)encryptionId is
        EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16 or
        EncryptionAlgorithm.AesCcm8 or EncryptionAlgorithm.AesCcm12 or EncryptionAlgorithm.AesCcm16 or
        EncryptionAlgorithm.ChaCha20Poly1305;

    /// <summary>strongSwan derives an IKE PRF from each integrity algorithm when no PRF keyword is given.</summary>
    public static PseudorandomFunction? PrfForIntegrity(ushort integrityId) => (IntegrityAlgorithm)integrityId switch
    {
        IntegrityAlgorithm.HmacMd5_96 or IntegrityAlgorithm.HmacMd5_128 => PseudorandomFunction.HmacMd5,
        IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacSha1_160 => PseudorandomFunction.HmacSha1,
        IntegrityAlgorithm.HmacSha2_256_128 => PseudorandomFunction.HmacSha2_256,
        IntegrityAlgorithm.HmacSha2_384_192 => PseudorandomFunction.HmacSha2_384,
        IntegrityAlgorithm.HmacSha2_512_256 => PseudorandomFunction.HmacSha2_512,
        IntegrityAlgorithm.AesXcbc96 => PseudorandomFunction.Aes128Xcbc,
        IntegrityAlgorithm.AesCmac96 => PseudorandomFunction.Aes128Cmac,
        _ => null,
    };

    private static Entry[] Build()
    {
        var list = new List<Entry>();
        void Enc(string k, EncryptionAlgorithm id, ushort? bits) => list.Add(new(k, TransformType.Encryption, (ushort)id, bits));
        void Integ(string k, IntegrityAlgorithm id) => list.Add(new(k, TransformType.Integrity, (ushort)id, null));
        void Prf(string k, PseudorandomFunction id) => list.Add(new(k, TransformType.PseudorandomFunction, (ushort)id, null));
        void Ke(string k, KeyExchangeGroup id) => list.Add(new(k, TransformType.KeyExchange, (ushort)id, null));

        Enc("null", EncryptionAlgorithm.Null, null);
        Enc("3des", EncryptionAlgorithm.TripleDes, null);
        foreach (ushort bits in new ushort[] { 128, 192, 256 })
        {
            Enc($"aes{bits}", EncryptionAlgorithm.AesCbc, bits);
            Enc($"aes{bits}ctr", EncryptionAlgorithm.AesCtr, bits);
            // ICV length suffixes: 8/12/16 bytes, or the same in bits (64/96/128); no suffix means 16.
            Enc($"aes{bits}gcm16", EncryptionAlgorithm.AesGcm16, bits);
            Enc($"aes{bits}gcm128", EncryptionAlgorithm.AesGcm16, bits);
            Enc($"aes{bits}gcm", EncryptionAlgorithm.AesGcm16, bits);
            Enc($"aes{bits}gcm12", EncryptionAlgorithm.AesGcm12, bits);
            Enc($"aes{bits}gcm96", EncryptionAlgorithm.AesGcm12, bits);
            Enc($"aes{bits}gcm8", EncryptionAlgorithm.AesGcm8, bits);
            Enc($"aes{bits}gcm64", EncryptionAlgorithm.AesGcm8, bits);
            Enc($"aes{bits}ccm16", EncryptionAlgorithm.AesCcm16, bits);
            Enc($"aes{bits}ccm128", EncryptionAlgorithm.AesCcm16, bits);
            Enc($"aes{bits}ccm", EncryptionAlgorithm.AesCcm16, bits);
            Enc($"aes{bits}ccm12", EncryptionAlgorithm.AesCcm12, bits);
            Enc($"aes{bits}ccm96", EncryptionAlgorithm.AesCcm12, bits);
            Enc($"aes{bits}ccm8", EncryptionAlgorithm.AesCcm8, bits);
            Enc($"aes{bits}ccm64", EncryptionAlgorithm.AesCcm8, bits);
        }
        Enc("aes", EncryptionAlgorithm.AesCbc, 128);
        Enc("chacha20poly1305", EncryptionAlgorithm.ChaCha20Poly1305, null);

        Integ("sha1", IntegrityAlgorithm.HmacSha1_96);
        Integ("sha", IntegrityAlgorithm.HmacSha1_96);
        Integ("sha256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha2_256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha2_384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha512", IntegrityAlgorithm.HmacSha2_512_256);
        Integ("sha2_512", IntegrityAlgorithm.HmacSha2_512_256);
        Integ("md5", IntegrityAlgorithm.HmacMd5_96);
        Integ("md5_128", IntegrityAlgorithm.HmacMd5_128);
        Integ("sha1_160", IntegrityAlgorithm.HmacSha1_160);
        Integ("aesxcbc", IntegrityAlgorithm.AesXcbc96);
        Integ("aescmac", IntegrityAlgorithm.AesCmac96);

        Prf("prfsha1", PseudorandomFunction.HmacSha1);
        Prf("prfsha256", PseudorandomFunction.HmacSha2_256);
        Prf("prfsha384", PseudorandomFunction.HmacSha2_384);
        Prf("prfsha512", PseudorandomFunction.HmacSha2_512);
        Prf("prfmd5", PseudorandomFunction.HmacMd5);
        Prf("prfaesxcbc", PseudorandomFunction.Aes128Xcbc);
        Prf("prfaescmac", PseudorandomFunction.Aes128Cmac);

        Ke("modp768", KeyExchangeGroup.Modp768);
        Ke("modp1024", KeyExchangeGroup.Modp1024);
        Ke("modp1536", KeyExchangeGroup.Modp1536);
        Ke("modp2048", KeyExchangeGroup.Modp2048);
        Ke("modp3072", KeyExchangeGroup.Modp3072);
        Ke("modp4096", KeyExchangeGroup.Modp4096);
        Ke("modp6144", KeyExchangeGroup.Modp6144);
        Ke("modp8192", KeyExchangeGroup.Modp8192);
        Ke("modp1024s160", KeyExchangeGroup.Modp1024s160);
        Ke("modp2048s224", KeyExchangeGroup.Modp2048s224);
        Ke("modp2048s256", KeyExchangeGroup.Modp2048s256);
        Ke("ecp192", KeyExchangeGroup.Ecp192);
        Ke("ecp224", KeyExchangeGroup.Ecp224);
        Ke("ecp256", KeyExchangeGroup.Ecp256);
        Ke("ecp384", KeyExchangeGroup.Ecp384);
        Ke("ecp521", KeyExchangeGroup.Ecp521);
        Ke("ecp224bp", KeyExchangeGroup.Brainpool224);
        Ke("ecp256bp", KeyExchangeGroup.Brainpool256);
        Ke("ecp384bp", KeyExchangeGroup.Brainpool384);
        Ke("ecp512bp", KeyExchangeGroup.Brainpool512);
        Ke("curve25519", KeyExchangeGroup.Curve25519);
        Ke("x25519", KeyExchangeGroup.Curve25519);
        Ke("curve448", KeyExchangeGroup.Curve448);
        Ke("x448", KeyExchangeGroup.Curve448);

        list.Add(new("noesn", TransformType.ExtendedSequenceNumbers, (ushort)ExtendedSequenceNumbers.No, null));
        list.Add(new("esn", TransformType.ExtendedSequenceNumbers, (ushort)ExtendedSequenceNumbers.Yes, null));
        return [.. list];
    }
}
