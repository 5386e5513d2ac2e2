using System.Security.Cryptography;
using Gateway.Crypto.Esp;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;
using Gateway.Crypto.Tests.Esp;

namespace Gateway.Crypto.Tests.Sk;

/// <summary>
/// libcrypto (EVP contexts keyed once) against the .NET fallback: what one seals the other opens, for every ESP and SK
/// suite, several sizes, ESN on and off; with the same IV both produce the same bytes.
/// </summary>
public class CipherBackendCrossTests
{
    private static readonly int[] Sizes = [0, 1, 15, 16, 63, 64, 511, 512, 1400, 4000];

    [Fact]
    public void OpenSsl_IsTheDefault_WhenLibcryptoLoads()
    {
        Assert.True(OpenSslCipher.IsAvailable, "libcrypto 3 with AES-GCM, ChaCha20-Poly1305, AES-CBC, 3DES-CBC and HMAC should load on Linux");
        Assert.True(CipherBackends.UseOpenSsl);
        using var esp = EspTransformFactory.Create(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, new byte[20], [], false);
        Assert.True(esp.UsesOpenSsl);
    }

    [Theory]
    [MemberData(nameof(EspTransformTests.Suites), MemberType = typeof(EspTransformTests))]
    public void Esp_SealedByOne_OpensWithTheOther_SameBytesWithSameIv(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ)
    {
        var ek = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        var ik = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
        foreach (var esn in new[] { false, true })
        {
            using var native = EspTransformFactory.Create(enc, bits, integ, ek, ik, esn, CipherBackend.OpenSsl);
            using var managed = EspTransformFactory.Create(enc, bits, integ, ek, ik, esn, CipherBackend.Managed);
            Assert.True(native.UsesOpenSsl);
            Assert.False(managed.UsesOpenSsl);
            var seq = esn ? 0x0000_0002_FFFF_FFF0UL : 7UL;
            foreach (var size in Sizes)
            {
                var inner = RandomNumberGenerator.GetBytes(size);
                foreach (var (sealer, opener) in new[] { (native, managed), (managed, native) })
                {
                    var packet = new byte[sealer.SealedLength(size)];
                    sealer.Seal(0x01020304, seq, inner, 4, packet);
                    var payload = new byte[opener.Layout.MaxPayloadBuffer(packet.Length)];
                    Assert.True(opener.TryOpen(packet, seq, payload, out var n, out var nh), $"{size} B, ESN {esn}");
                    Assert.Equal(inner, payload[..n]);
                    Assert.Equal(4, nh);
                    packet[^1] ^= 1;
                    Assert.False(opener.TryOpen(packet, seq, payload, out _, out _));
                }

                // Same IV on both sides: byte-identical packets.
                SetFixedIv(native, size);
                SetFixedIv(managed, size);
                var a = new byte[native.SealedLength(size)];
                var b = new byte[managed.SealedLength(size)];
                native.Seal(0x01020304, seq, inner, 41, a);
                managed.Seal(0x01020304, seq, inner, 41, b);
                Assert.Equal(Convert.ToHexString(b), Convert.ToHexString(a));
                ClearFixedIv(native);
                ClearFixedIv(managed);
                seq++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(SkProtectionTests.Suites), MemberType = typeof(SkProtectionTests))]
    public void Sk_SealedByOne_OpensWithTheOther(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ)
    {
        var ek = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        var ik = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
        using var native = SkProtectionFactory.Create(enc, bits, integ, ek, ik, CipherBackend.OpenSsl);
        using var managed = SkProtectionFactory.Create(enc, bits, integ, ek, ik, CipherBackend.Managed);
        var ad = RandomNumberGenerator.GetBytes(32);
        foreach (var size in Sizes)
        {
            var plaintext = RandomNumberGenerator.GetBytes(size);
            foreach (var (sealer, opener) in new[] { (native, managed), (managed, native) })
            {
                var body = new byte[sealer.SealedLength(size)];
                sealer.Seal(ad, plaintext, body);
                var output = new byte[opener.MaxPlaintextLength(body.Length)];
                Assert.True(opener.TryOpen(ad, body, output, out var n), $"{size} B");
                Assert.Equal(plaintext, output[..n]);
                ad[0] ^= 1;
                Assert.False(opener.TryOpen(ad, body, output, out _));
                ad[0] ^= 1;
            }
        }
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.AesGcm16, 128)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 192)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 256)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 0)]
    public void SkAead_SameIv_SameBytes(EncryptionAlgorithm enc, int bits)
    {
        var keymat = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
        using var native = new AeadSkProtection(enc, keymat, 0x0102030405060708, CipherBackend.OpenSsl);
        using var managed = new AeadSkProtection(enc, keymat, 0x0102030405060708, CipherBackend.Managed);
        var ad = RandomNumberGenerator.GetBytes(32);
        foreach (var size in Sizes)
        {
            var plaintext = RandomNumberGenerator.GetBytes(size);
            var a = new byte[native.SealedLength(size)];
            var b = new byte[managed.SealedLength(size)];
            native.Seal(ad, plaintext, a);
            managed.Seal(ad, plaintext, b);
            Assert.Equal(Convert.ToHexString(b), Convert.ToHexString(a));
        }
    }

    [Theory]
    [InlineData(IntegrityAlgorithm.HmacSha1_96)]
    [InlineData(IntegrityAlgorithm.HmacSha2_256_128)]
    [InlineData(IntegrityAlgorithm.HmacSha2_384_192)]
    [InlineData(IntegrityAlgorithm.HmacSha2_512_256)]
    public void Hmac_BothBackendsAgree_AcrossManyMessages(IntegrityAlgorithm integ)
    {
        var key = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
        using var native = new TruncatedHmac(integ, key, CipherBackend.OpenSsl);
        using var managed = new TruncatedHmac(integ, key, CipherBackend.Managed);
        Assert.True(native.IsOpenSsl);
        Assert.False(managed.IsOpenSsl);
        var a = new byte[native.IcvSize];
        var b = new byte[managed.IcvSize];
        foreach (var size in Sizes)
        {
            // The context is re-initialised with its stored key after every message: no state may leak across messages.
            var data = RandomNumberGenerator.GetBytes(size);
            native.Append(data);
            native.Finish(a);
            managed.Append(data);
            managed.Finish(b);
            Assert.Equal(b, a);
            native.Append(data);
            Assert.True(native.FinishAndVerify(b));
        }
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.AesCbc, 128)]
    [InlineData(EncryptionAlgorithm.TripleDes, 0)]
    public void CbcIvs_FromThePooledCsprng_NeverRepeat(EncryptionAlgorithm enc, int bits)
    {
        // More IVs than one 1 KiB pool holds, so the pool is refilled several times.
        using var cbc = new CbcCipher(enc, RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize), CipherBackend.OpenSsl);
        var seen = new HashSet<string>();
        var iv = new byte[cbc.BlockSize];
        for (var i = 0; i < 1000; i++)
        {
            cbc.RandomIv(iv);
            Assert.True(seen.Add(Convert.ToHexString(iv)));
        }
    }

    [Fact]
    public void Dispose_FreesTheContexts_LaterUseThrows()
    {
        var esp = EspTransformFactory.Create(EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha2_256_128, new byte[16], new byte[32], false, CipherBackend.OpenSsl);
        var packet = new byte[esp.SealedLength(10)];
        esp.Seal(1, 1, new byte[10], 4, packet);
        esp.Dispose();
        Assert.Throws<ObjectDisposedException>(() => esp.Seal(1, 2, new byte[10], 4, packet));

        var sk = SkProtectionFactory.Create(EncryptionAlgorithm.ChaCha20Poly1305, 0, IntegrityAlgorithm.None, new byte[36], [], CipherBackend.OpenSsl);
        sk.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sk.Seal([], new byte[3], new byte[sk.SealedLength(3)]));
    }

    [Fact]
    public void OpenSsl_SealAndOpen_AllocateNothing_EvenForCbc()
    {
        foreach (var (enc, bits, integ) in new[]
                 {
                     (EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128),
                     (EncryptionAlgorithm.TripleDes, 0, IntegrityAlgorithm.HmacSha1_96),
                 })
        {
            var ek = RandomNumberGenerator.GetBytes(TransformSizes.Get(enc, bits).KeyMaterialSize);
            var ik = RandomNumberGenerator.GetBytes(TransformSizes.Get(integ).KeySize);
            using var sk = SkProtectionFactory.Create(enc, bits, integ, ek, ik, CipherBackend.OpenSsl);
            var ad = new byte[32];
            var plaintext = new byte[400];
            var body = new byte[sk.SealedLength(plaintext.Length)];
            var output = new byte[body.Length];
            for (var i = 0; i < 20; i++)
            {
                sk.Seal(ad, plaintext, body);
                sk.TryOpen(ad, body, output, out _);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 500; i++)
            {
                sk.Seal(ad, plaintext, body);
                Assert.True(sk.TryOpen(ad, body, output, out _));
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    private static void SetFixedIv(EspTransform t, int seed)
    {
        switch (t)
        {
            case CbcHmacEspTransform cbc:
                cbc.FixedIvForTests = Enumerable.Range(seed, t.Layout.IvSize).Select(i => (byte)i).ToArray();
                break;
            case AeadEspTransform aead:
                aead.FixedIvForTests = (ulong)seed * 0x0101;
                break;
        }
    }

    private static void ClearFixedIv(EspTransform t)
    {
        switch (t)
        {
            case CbcHmacEspTransform cbc:
                cbc.FixedIvForTests = null;
                break;
            case AeadEspTransform aead:
                aead.FixedIvForTests = null;
                break;
        }
    }
}
