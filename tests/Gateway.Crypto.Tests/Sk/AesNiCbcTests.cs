using System.Security.Cryptography;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.Sk;

/// <summary>
/// The AES-NI CBC path of the libcrypto backend: FIPS 197 Appendix C vectors (one block, zero IV: CBC = the block
/// cipher), and agreement with .NET's AES-CBC for every key size at block counts around the four-block stride, in
/// place and out of place. (The ESP/SK RFC vectors and the cross-backend tests run through it too.) The gateway
/// targets x86-64 servers, all of which have AES-NI; elsewhere these tests fail rather than skip.
/// </summary>
public class AesNiCbcTests
{
    private static readonly byte[] FipsPlaintext = Convert.FromHexString("00112233445566778899aabbccddeeff");

    [Theory]
    [InlineData(16, "69c4e0d86a7b0430d8cdb78070b4c55a")]
    [InlineData(24, "dda97ca4864cdfe06eaf70a0ec0d7191")]
    [InlineData(32, "8ea2b7ca516745bfeafc49904b496089")]
    public void Fips197AppendixC(int keyLength, string ciphertext)
    {
        var key = Enumerable.Range(0, keyLength).Select(i => (byte)i).ToArray();
        using var aes = new AesNiCbc(key);
        var output = new byte[16];
        aes.Encrypt(new byte[16], FipsPlaintext, output);
        Assert.Equal(ciphertext, Convert.ToHexString(output).ToLowerInvariant());
        var back = new byte[16];
        aes.Decrypt(new byte[16], output, back);
        Assert.Equal(FipsPlaintext, back);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void AgreesWithDotNet_AllBlockCounts_InPlaceToo(int keyLength)
    {
        var key = RandomNumberGenerator.GetBytes(keyLength);
        using var reference = Aes.Create();
        reference.SetKey(key);
        using var aes = new AesNiCbc(key);
        foreach (var blocks in new[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 88, 250 })
        {
            var iv = RandomNumberGenerator.GetBytes(16);
            var plaintext = RandomNumberGenerator.GetBytes(16 * blocks);
            var expected = reference.EncryptCbc(plaintext, iv, PaddingMode.None);

            var ciphertext = new byte[plaintext.Length];
            aes.Encrypt(iv, plaintext, ciphertext);
            Assert.Equal(expected, ciphertext);
            var decrypted = new byte[plaintext.Length];
            aes.Decrypt(iv, ciphertext, decrypted);
            Assert.Equal(plaintext, decrypted);

            var buffer = (byte[])plaintext.Clone();
            aes.Encrypt(iv, buffer, buffer);
            Assert.Equal(expected, buffer);
            aes.Decrypt(iv, buffer, buffer);
            Assert.Equal(plaintext, buffer);
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void DecryptsWithoutHavingEncrypted_AsAnInboundSaDoes(int keyLength)
    {
        // Each schedule is expanded on first use; the decryption one is derived on its own here.
        var key = RandomNumberGenerator.GetBytes(keyLength);
        var iv = RandomNumberGenerator.GetBytes(16);
        var plaintext = RandomNumberGenerator.GetBytes(16 * 9);
        using var reference = Aes.Create();
        reference.SetKey(key);
        var ciphertext = reference.EncryptCbc(plaintext, iv, PaddingMode.None);

        using var aes = new AesNiCbc(key);
        var decrypted = new byte[plaintext.Length];
        aes.Decrypt(iv, ciphertext, decrypted);
        Assert.Equal(plaintext, decrypted);
        var again = new byte[plaintext.Length];
        aes.Encrypt(iv, plaintext, again); // and encrypts afterwards all the same
        Assert.Equal(ciphertext, again);
    }

    [Fact]
    public void RejectsBadLengths_AndUseAfterDispose()
    {
        Assert.Throws<ArgumentException>(() => new AesNiCbc(new byte[20]));
        var aes = new AesNiCbc(new byte[16]);
        Assert.Throws<ArgumentException>(() => aes.Encrypt(new byte[8], new byte[16], new byte[16]));
        Assert.Throws<ArgumentException>(() => aes.Decrypt(new byte[16], new byte[15], new byte[16]));
        Assert.Throws<ArgumentException>(() => aes.Encrypt(new byte[16], new byte[32], new byte[16]));
        aes.Dispose();
        Assert.Throws<ObjectDisposedException>(() => aes.Encrypt(new byte[16], new byte[16], new byte[16]));
    }

    [Fact]
    public void LibcryptoBackend_RunsAesOnAesNi_And3DesOnEvp()
    {
        using var aes = new CbcCipher(EncryptionAlgorithm.AesCbc, new byte[32], CipherBackend.OpenSsl);
        Assert.True(aes.IsOpenSsl);
        Assert.True(aes.UsesAesNi);
        using var des = new CbcCipher(EncryptionAlgorithm.TripleDes, new byte[24], CipherBackend.OpenSsl);
        Assert.True(des.IsOpenSsl);
        Assert.False(des.UsesAesNi);
        using var managed = new CbcCipher(EncryptionAlgorithm.AesCbc, new byte[32], CipherBackend.Managed);
        Assert.False(managed.IsOpenSsl);
        Assert.False(managed.UsesAesNi);
    }
}
