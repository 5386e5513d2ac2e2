using System.Security.Cryptography;
using System.Text;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Hex;

namespace Gateway.Crypto.Tests.Sk;

/// <summary>Every SK test runs against both implementations: libcrypto contexts (default) and the .NET fallback.</summary>
public sealed class SkProtectionOpenSslTests : SkProtectionTests
{
    internal override CipherBackend Backend => CipherBackend.OpenSsl;
}

public sealed class SkProtectionManagedTests : SkProtectionTests
{
    internal override CipherBackend Backend => CipherBackend.Managed;
}

public abstract class SkProtectionTests
{
    internal abstract CipherBackend Backend { get; }

    private ISkProtection Make(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey)
    {
        var sk = SkProtectionFactory.Create(enc, bits, integ, encryptionKey, integrityKey, Backend);
        Assert.Equal(Backend == CipherBackend.OpenSsl, sk switch
        {
            AeadSkProtection a => a.UsesOpenSsl,
            CbcHmacSkProtection c => c.UsesOpenSsl,
            _ => throw new InvalidOperationException(),
        });
        return sk;
    }

    public static TheoryData<EncryptionAlgorithm, int, IntegrityAlgorithm> Suites()
    {
        var data = new TheoryData<EncryptionAlgorithm, int, IntegrityAlgorithm>();
        foreach (var integ in new[] { IntegrityAlgorithm.HmacSha1_96, IntegrityAlgorithm.HmacSha2_256_128, IntegrityAlgorithm.HmacSha2_384_192, IntegrityAlgorithm.HmacSha2_512_256 })
        {
            data.Add(EncryptionAlgorithm.AesCbc, 128, integ);
            data.Add(EncryptionAlgorithm.AesCbc, 192, integ);
            data.Add(EncryptionAlgorithm.AesCbc, 256, integ);
            data.Add(EncryptionAlgorithm.TripleDes, 0, integ);
        }

        data.Add(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None);
        data.Add(EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None);
        data.Add(EncryptionAlgorithm.ChaCha20Poly1305, 0, IntegrityAlgorithm.None);
        return data;
    }

    internal ISkProtection Create(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, out byte[] encKey, out byte[] integKey)
    {
        encKey = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        integKey = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
        return Make(enc, bits, integ, encKey, integKey);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void RoundTrip_SeveralLengths(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ)
    {
        using var sealer = Create(enc, bits, integ, out var ek, out var ik);
        using var opener = Make(enc, bits, integ, ek, ik);
        var ad = RandomNumberGenerator.GetBytes(32);
        foreach (var length in new[] { 0, 1, 7, 8, 15, 16, 17, 100, 1000, 4000 })
        {
            var plaintext = RandomNumberGenerator.GetBytes(length);
            var sealedBody = new byte[sealer.SealedLength(length)];
            sealer.Seal(ad, plaintext, sealedBody);
            Assert.Equal(0, (sealedBody.Length - sealer.IvSize - sealer.IcvSize) % sealer.BlockSize);
            var output = new byte[opener.MaxPlaintextLength(sealedBody.Length)];
            Assert.True(opener.TryOpen(ad, sealedBody, output, out var n));
            Assert.Equal(plaintext, output[..n]);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Tamper_AnyByteFlipped_Fails(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ)
    {
        using var sk = Create(enc, bits, integ, out _, out _);
        var ad = RandomNumberGenerator.GetBytes(28);
        var plaintext = RandomNumberGenerator.GetBytes(37);
        var body = new byte[sk.SealedLength(plaintext.Length)];
        sk.Seal(ad, plaintext, body);
        var output = new byte[sk.MaxPlaintextLength(body.Length)];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] ^= 0x01;
            Assert.False(sk.TryOpen(ad, body, output, out _), $"body byte {i}");
            body[i] ^= 0x01;
        }

        for (var i = 0; i < ad.Length; i++)
        {
            ad[i] ^= 0x80;
            Assert.False(sk.TryOpen(ad, body, output, out _), $"ad byte {i}");
            ad[i] ^= 0x80;
        }

        Assert.False(sk.TryOpen(ad, body.AsSpan(0, body.Length - 1), output, out _));
        Assert.False(sk.TryOpen(ad, body.AsSpan(0, sk.IvSize + sk.IcvSize), output, out _));
        Assert.True(sk.TryOpen(ad, body, output, out var n));
        Assert.Equal(plaintext, output[..n]);
    }

    [Fact]
    public void Cbc_LayoutAndIcv_MatchIndependentComputation()
    {
        var encKey = RandomNumberGenerator.GetBytes(32);
        var integKey = RandomNumberGenerator.GetBytes(32);
        using var sk = Make(EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128, encKey, integKey);
        var ad = RandomNumberGenerator.GetBytes(32);
        var plaintext = RandomNumberGenerator.GetBytes(40);
        var body = new byte[sk.SealedLength(40)];
        Assert.Equal(16 + 48 + 16, body.Length); // 40 + pad 7 + padlen 1 = 48
        sk.Seal(ad, plaintext, body);

        var icv = HMACSHA256.HashData(integKey, (byte[])[.. ad, .. body[..64]])[..16];
        Assert.Equal(icv, body[64..]);
        using var aes = Aes.Create();
        aes.Key = encKey;
        var decrypted = aes.DecryptCbc(body[16..64], body[..16], PaddingMode.None);
        Assert.Equal(plaintext, decrypted[..40]);
        Assert.Equal(7, decrypted[^1]);
    }

    [Fact]
    public void Cbc_WrongPadLength_Rejected()
    {
        var encKey = RandomNumberGenerator.GetBytes(16);
        var integKey = RandomNumberGenerator.GetBytes(20);
        using var sk = Make(EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha1_96, encKey, integKey);
        var ad = RandomNumberGenerator.GetBytes(32);
        foreach (var padLength in new byte[] { 32, 200, 255 })
        {
            var inner = new byte[32];
            inner[^1] = padLength; // claims more padding than the 32 bytes hold
            var iv = RandomNumberGenerator.GetBytes(16);
            using var aes = Aes.Create();
            aes.Key = encKey;
            var ct = aes.EncryptCbc(inner, iv, PaddingMode.None);
            byte[] body = [.. iv, .. ct, .. HMACSHA1.HashData(integKey, (byte[])[.. ad, .. iv, .. ct])[..12]];
            Assert.False(sk.TryOpen(ad, body, new byte[32], out _));
        }

        // Pad length 31 is the largest valid one (content empty).
        {
            var inner = new byte[32];
            inner[^1] = 31;
            var iv = RandomNumberGenerator.GetBytes(16);
            using var aes = Aes.Create();
            aes.Key = encKey;
            var ct = aes.EncryptCbc(inner, iv, PaddingMode.None);
            byte[] body = [.. iv, .. ct, .. HMACSHA1.HashData(integKey, (byte[])[.. ad, .. iv, .. ct])[..12]];
            Assert.True(sk.TryOpen(ad, body, new byte[32], out var n));
            Assert.Equal(0, n);
        }
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.AesGcm16, 128)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 0)]
    public void Aead_WrongPadLength_Rejected(EncryptionAlgorithm enc, int bits)
    {
        var keymat = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        using var sk = Make(enc, bits, IntegrityAlgorithm.None, keymat, []);
        var ad = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(8);
        var inner = new byte[16];
        inner[^1] = 16; // pad length + 1 > 16
        byte[] nonce = [.. keymat[^4..], .. iv];
        var ct = new byte[16];
        var tag = new byte[16];
        if (enc == EncryptionAlgorithm.AesGcm16)
        {
            using var gcm = new AesGcm(keymat[..^4], 16);
            gcm.Encrypt(nonce, inner, ct, tag, ad);
        }
        else
        {
            using var chacha = new ChaCha20Poly1305(keymat[..^4]);
            chacha.Encrypt(nonce, inner, ct, tag, ad);
        }

        Assert.False(sk.TryOpen(ad, [.. iv, .. ct, .. tag], new byte[16], out _));
    }

    [Fact]
    public void AesGcm_McGrewViegaTestCase4_OpensThroughSk()
    {
        // GCM spec (McGrew & Viega) test case 4: K, IV = salt(cafebabe) ‖ explicit IV, A, P, C, T.
        // Through SK the last plaintext byte (0x39 = 57) is the pad length, so 60 − 58 = 2 content bytes come out.
        var key = H("feffe9928665731c6d6a8f9467308308");
        var aad = H("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        var body = H("facedbaddecaf888" +
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
            "5bc94fbc3221a5db94fae95ae7121a47");
        using var sk = Make(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, [.. key, .. H("cafebabe")], []);
        var output = new byte[sk.MaxPlaintextLength(body.Length)];
        Assert.True(sk.TryOpen(aad, body, output, out var n));
        Assert.Equal(H("d931"), output[..n]);

        // Test case 16: the same with a 256-bit key.
        var body256 = H("facedbaddecaf888" +
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
            "76fc6ece0f4e1768cddf8853bb2d551b");
        using var sk256 = Make(EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None, [.. key, .. key, .. H("cafebabe")], []);
        Assert.True(sk256.TryOpen(aad, body256, output, out n));
        Assert.Equal(H("d931"), output[..n]);
    }

    [Fact]
    public void ChaCha20Poly1305_Rfc8439AeadVector_OpensThroughSk()
    {
        // RFC 8439 §2.8.2 (= RFC 7539): nonce = 07000000 ‖ 4041424344454647. The last plaintext byte '.' (0x2e = 46)
        // acts as the SK pad length: 114 − 47 = 67 bytes of content.
        var key = H("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        var aad = H("50515253c0c1c2c3c4c5c6c7");
        var body = H("4041424344454647" +
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116" +
            "1ae10b594f09e26a7e902ecbd0600691");
        using var sk = Make(EncryptionAlgorithm.ChaCha20Poly1305, 0, IntegrityAlgorithm.None, [.. key, .. H("07000000")], []);
        var output = new byte[sk.MaxPlaintextLength(body.Length)];
        Assert.True(sk.TryOpen(aad, body, output, out var n));
        var text = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        Assert.Equal(Encoding.ASCII.GetBytes(text)[..67], output[..n]);
    }

    [Fact]
    public void Aead_ExplicitIvIsACounter_AndMatchesIndependentEncryption()
    {
        var keymat = RandomNumberGenerator.GetBytes(20);
        using var sk = new AeadSkProtection(EncryptionAlgorithm.AesGcm16, keymat, firstIv: 0xFFFF_FFFF_FFFF_FFFEUL, Backend);
        var ad = RandomNumberGenerator.GetBytes(32);
        var plaintext = RandomNumberGenerator.GetBytes(10);
        var ivs = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var body = new byte[sk.SealedLength(10)];
            sk.Seal(ad, plaintext, body);
            ivs.Add(S(body[..8]));
            // Independent decryption: nonce = salt ‖ IV, content ‖ pad length 0.
            using var gcm = new AesGcm(keymat[..16], 16);
            var pt = new byte[11];
            gcm.Decrypt((byte[])[.. keymat[16..], .. body[..8]], body[8..19], body[19..], pt, ad);
            Assert.Equal([.. plaintext, 0], pt);
        }

        Assert.Equal(["fffffffffffffffe", "ffffffffffffffff", "0000000000000000", "0000000000000001"], ivs);
    }

    [Fact]
    public void Factory_RejectsBadCombinations()
    {
        Assert.False(SkProtectionFactory.IsSupported(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.HmacSha1_96));
        Assert.False(SkProtectionFactory.IsSupported(EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.None));
        Assert.False(SkProtectionFactory.IsSupported(EncryptionAlgorithm.Null, 0, IntegrityAlgorithm.HmacSha1_96));
        Assert.Throws<NotSupportedException>(() => Make(EncryptionAlgorithm.AesCcm16, 128, IntegrityAlgorithm.None, new byte[19], []));
        Assert.Throws<ArgumentException>(() => Make(EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha1_96, new byte[16], new byte[16]));
        Assert.Throws<ArgumentException>(() => Make(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, new byte[16], []));
    }
}
