using System.Security.Cryptography;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.Sk;

/// <summary>SK keyed per message must be interchangeable with SK keyed once: same sizes, each opens what the other seals.</summary>
public sealed class OnDemandSkProtectionTests
{
    public static TheoryData<EncryptionAlgorithm, int, IntegrityAlgorithm> Suites() => SkProtectionTests.Suites();

    [Theory]
    [MemberData(nameof(Suites))]
    public void Interoperates_WithKeyedOnce(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ)
    {
        var encKey = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        var integKey = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
        using var onDemand = SkProtectionFactory.CreateOnDemand(enc, bits, integ, encKey, integKey);
        using var keyedOnce = SkProtectionFactory.Create(enc, bits, integ, encKey, integKey);
        Assert.Equal((keyedOnce.IvSize, keyedOnce.IcvSize, keyedOnce.BlockSize), (onDemand.IvSize, onDemand.IcvSize, onDemand.BlockSize));

        var ad = RandomNumberGenerator.GetBytes(28);
        foreach (var length in new[] { 0, 1, 15, 16, 17, 300 })
        {
            Assert.Equal(keyedOnce.SealedLength(length), onDemand.SealedLength(length));
            var plaintext = RandomNumberGenerator.GetBytes(length);
            foreach (var (sealer, opener) in new[] { (onDemand, keyedOnce), (keyedOnce, onDemand) })
            {
                var body = new byte[sealer.SealedLength(length)];
                sealer.Seal(ad, plaintext, body);
                var output = new byte[opener.MaxPlaintextLength(body.Length)];
                Assert.True(opener.TryOpen(ad, body, output, out var n));
                Assert.Equal(plaintext, output[..n]);
                body[^1] ^= 1;
                Assert.False(opener.TryOpen(ad, body, output, out _));
            }
        }
    }

    [Fact]
    public void BadKeyLength_FailsAtCreation()
    {
        Assert.Throws<ArgumentException>(() => SkProtectionFactory.CreateOnDemand(EncryptionAlgorithm.AesCbc, 128,
            IntegrityAlgorithm.HmacSha2_256_128, new byte[15], new byte[32]));
    }
}
