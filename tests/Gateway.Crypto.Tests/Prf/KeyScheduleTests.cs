using System.Security.Cryptography;
using Gateway.Crypto.Prf;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Prf.PrfTests;

namespace Gateway.Crypto.Tests.Prf;

public class KeyScheduleTests
{
    public static TheoryData<PseudorandomFunction, EncryptionAlgorithm, int, IntegrityAlgorithm> Suites => new()
    {
        { PseudorandomFunction.HmacSha1, EncryptionAlgorithm.TripleDes, 0, IntegrityAlgorithm.HmacSha1_96 },
        { PseudorandomFunction.HmacSha2_256, EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128 },
        { PseudorandomFunction.HmacSha2_384, EncryptionAlgorithm.AesCbc, 192, IntegrityAlgorithm.HmacSha2_384_192 },
        { PseudorandomFunction.HmacSha2_512, EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha2_512_256 },
        { PseudorandomFunction.HmacSha2_256, EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None },
        { PseudorandomFunction.HmacSha2_512, EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None },
        { PseudorandomFunction.HmacSha2_256, EncryptionAlgorithm.ChaCha20Poly1305, 0, IntegrityAlgorithm.None },
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public void IkeSaKeys_MatchIndependentDerivation(PseudorandomFunction prfId, EncryptionAlgorithm enc, int keyBits, IntegrityAlgorithm integ)
    {
        var encLength = TransformSizes.Get(enc, keyBits).KeyMaterialSize;
        var integLength = TransformSizes.Get(integ).KeySize;
        var gir = RandomNumberGenerator.GetBytes(256);
        var ni = RandomNumberGenerator.GetBytes(32);
        var nr = RandomNumberGenerator.GetBytes(48);
        var spiI = RandomNumberGenerator.GetBytes(8);
        var spiR = RandomNumberGenerator.GetBytes(8);

        using var keys = IkeKeySchedule.DeriveIkeSaKeys(prfId, gir, ni, nr, spiI, spiR, encLength, integLength);

        // RFC 7296 §2.14, written out independently.
        var skeyseed = ReferenceHmac(prfId, [.. ni, .. nr], gir);
        var prfLength = skeyseed.Length;
        var total = 3 * prfLength + 2 * integLength + 2 * encLength;
        var stream = ReferencePrfPlus(prfId, skeyseed, [.. ni, .. nr, .. spiI, .. spiR], total);
        Assert.Equal(skeyseed, keys.Skeyseed);
        var offset = 0;
        Assert.Equal(Next(prfLength), keys.SkD);
        Assert.Equal(Next(integLength), keys.SkAi);
        Assert.Equal(Next(integLength), keys.SkAr);
        Assert.Equal(Next(encLength), keys.SkEi);
        Assert.Equal(Next(encLength), keys.SkEr);
        Assert.Equal(Next(prfLength), keys.SkPi);
        Assert.Equal(Next(prfLength), keys.SkPr);
        Assert.Equal(total, offset);

        byte[] Next(int n)
        {
            var r = stream.AsSpan(offset, n).ToArray();
            offset += n;
            return r;
        }
    }

    [Fact]
    public void IkeSaKeys_UlongSpisAreBigEndian()
    {
        var gir = RandomNumberGenerator.GetBytes(32);
        var ni = RandomNumberGenerator.GetBytes(16);
        var nr = RandomNumberGenerator.GetBytes(16);
        using var a = IkeKeySchedule.DeriveIkeSaKeys(PseudorandomFunction.HmacSha2_256, gir, ni, nr, 0x0102030405060708UL, 0x1112131415161718UL, 16, 32);
        using var b = IkeKeySchedule.DeriveIkeSaKeys(PseudorandomFunction.HmacSha2_256, gir, ni, nr,
            Convert.FromHexString("0102030405060708"), Convert.FromHexString("1112131415161718"), 16, 32);
        Assert.Equal(b.SkD, a.SkD);
        Assert.Equal(b.SkPr, a.SkPr);
    }

    [Fact]
    public void RekeyedIkeSa_UsesOldPrfAndSkD()
    {
        var oldSkD = RandomNumberGenerator.GetBytes(20);
        var gir = RandomNumberGenerator.GetBytes(128);
        var ni = RandomNumberGenerator.GetBytes(32);
        var nr = RandomNumberGenerator.GetBytes(32);
        var spiI = RandomNumberGenerator.GetBytes(8);
        var spiR = RandomNumberGenerator.GetBytes(8);

        // Old SA negotiated HMAC-SHA1, the new one HMAC-SHA2-256.
        using var keys = IkeKeySchedule.DeriveRekeyedIkeSaKeys(PseudorandomFunction.HmacSha1, oldSkD,
            PseudorandomFunction.HmacSha2_256, gir, ni, nr, spiI, spiR, 32, 32);

        var skeyseed = ReferenceHmac(PseudorandomFunction.HmacSha1, oldSkD, [.. gir, .. ni, .. nr]);
        Assert.Equal(skeyseed, keys.Skeyseed);
        var stream = ReferencePrfPlus(PseudorandomFunction.HmacSha2_256, skeyseed, [.. ni, .. nr, .. spiI, .. spiR], 32 * 3 + 32 * 4);
        Assert.Equal(stream[..32], keys.SkD);
        Assert.Equal(stream[32..64], keys.SkAi);
        Assert.Equal(stream[^32..], keys.SkPr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChildSaKeys_MatchIndependentKeymat(bool pfs)
    {
        var skD = RandomNumberGenerator.GetBytes(32);
        var gir = pfs ? RandomNumberGenerator.GetBytes(256) : [];
        var ni = RandomNumberGenerator.GetBytes(32);
        var nr = RandomNumberGenerator.GetBytes(32);
        // AES-CBC-256 + HMAC-SHA2-256-128 ESP: 32-byte keys each.
        using var keys = IkeKeySchedule.DeriveChildSaKeys(PseudorandomFunction.HmacSha2_256, skD, gir, ni, nr, 32, 32);

        var keymat = ReferencePrfPlus(PseudorandomFunction.HmacSha2_256, skD, [.. gir, .. ni, .. nr], 128);
        // RFC 7296 §2.17: initiator→responder first; encryption key before integrity key.
        Assert.Equal(keymat[..32], keys.EncryptionInitiatorToResponder);
        Assert.Equal(keymat[32..64], keys.IntegrityInitiatorToResponder);
        Assert.Equal(keymat[64..96], keys.EncryptionResponderToInitiator);
        Assert.Equal(keymat[96..], keys.IntegrityResponderToInitiator);
    }

    [Fact]
    public void ChildSaKeys_PfsChangesKeys_AndAeadHasNoIntegrityKey()
    {
        var skD = RandomNumberGenerator.GetBytes(32);
        var ni = RandomNumberGenerator.GetBytes(32);
        var nr = RandomNumberGenerator.GetBytes(32);
        using var noPfs = IkeKeySchedule.DeriveChildSaKeys(PseudorandomFunction.HmacSha2_256, skD, [], ni, nr, 20, 0);
        using var withPfs = IkeKeySchedule.DeriveChildSaKeys(PseudorandomFunction.HmacSha2_256, skD, RandomNumberGenerator.GetBytes(32), ni, nr, 20, 0);
        Assert.NotEqual(noPfs.EncryptionInitiatorToResponder, withPfs.EncryptionInitiatorToResponder);
        Assert.Empty(noPfs.IntegrityInitiatorToResponder);
        Assert.Equal(20, noPfs.EncryptionResponderToInitiator.Length);
        var keymat = ReferencePrfPlus(PseudorandomFunction.HmacSha2_256, skD, [.. ni, .. nr], 40);
        Assert.Equal(keymat[20..], noPfs.EncryptionResponderToInitiator);
    }

    [Fact]
    public void Keys_ToStringAndDispose_DoNotLeakMaterial()
    {
        var keys = IkeKeySchedule.DeriveIkeSaKeys(PseudorandomFunction.HmacSha2_256, new byte[32], new byte[16], new byte[16], 1, 2, 16, 32);
        var text = keys.ToString();
        Assert.DoesNotContain(Convert.ToHexString(keys.SkD), text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("redacted", text);
        var skD = keys.SkD;
        keys.Dispose();
        Assert.All(skD, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.AesCbc, 128, 16, 0, 16, 16, 0)]
    [InlineData(EncryptionAlgorithm.AesCbc, 192, 24, 0, 16, 16, 0)]
    [InlineData(EncryptionAlgorithm.AesCbc, 256, 32, 0, 16, 16, 0)]
    [InlineData(EncryptionAlgorithm.TripleDes, 0, 24, 0, 8, 8, 0)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 128, 16, 4, 8, 4, 16)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 256, 32, 4, 8, 4, 16)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 0, 32, 4, 8, 4, 16)]
    [InlineData(EncryptionAlgorithm.Null, 0, 0, 0, 0, 4, 0)]
    public void EncryptionSizes(EncryptionAlgorithm alg, int bits, int key, int salt, int iv, int block, int icv)
    {
        var s = TransformSizes.Get(alg, bits);
        Assert.Equal(new EncryptionSizes(key, salt, iv, block, icv), s);
        Assert.Equal(key + salt, s.KeyMaterialSize);
        Assert.Equal(icv > 0, s.IsAead);
    }

    [Theory]
    [InlineData(IntegrityAlgorithm.HmacSha1_96, 20, 12)]
    [InlineData(IntegrityAlgorithm.HmacSha2_256_128, 32, 16)]
    [InlineData(IntegrityAlgorithm.HmacSha2_384_192, 48, 24)]
    [InlineData(IntegrityAlgorithm.HmacSha2_512_256, 64, 32)]
    [InlineData(IntegrityAlgorithm.None, 0, 0)]
    public void IntegritySizes(IntegrityAlgorithm alg, int key, int icv) =>
        Assert.Equal(new IntegritySizes(key, icv), TransformSizes.Get(alg));

    [Fact]
    public void UnsupportedTransforms()
    {
        Assert.False(TransformSizes.IsSupported(EncryptionAlgorithm.AesCbc, 0));
        Assert.False(TransformSizes.IsSupported(EncryptionAlgorithm.AesCbc, 512));
        Assert.False(TransformSizes.IsSupported(EncryptionAlgorithm.Des, 0));
        Assert.False(TransformSizes.IsSupported(IntegrityAlgorithm.HmacMd5_96));
        Assert.Throws<NotSupportedException>(() => TransformSizes.Get(EncryptionAlgorithm.AesCcm16, 128));
    }
}
