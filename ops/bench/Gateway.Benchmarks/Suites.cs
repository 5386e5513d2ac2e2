using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>A cipher suite of SK or ESP, with its OpenSSL `speed` counterparts.</summary>
public sealed record Suite(string Name, EncryptionAlgorithm Encryption, int KeyBits, IntegrityAlgorithm Integrity,
    string OpenSslCipher, string? OpenSslHmac)
{
    public static readonly Suite[] All =
    [
        new("aes128-sha1", EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha1_96, "aes-128-cbc", "sha1"),
        new("aes128-sha256", EncryptionAlgorithm.AesCbc, 128, IntegrityAlgorithm.HmacSha2_256_128, "aes-128-cbc", "sha256"),
        new("aes256-sha1", EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha1_96, "aes-256-cbc", "sha1"),
        new("aes256-sha256", EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128, "aes-256-cbc", "sha256"),
        new("3des-sha1", EncryptionAlgorithm.TripleDes, 0, IntegrityAlgorithm.HmacSha1_96, "des-ede3-cbc", "sha1"),
        new("aes128gcm16", EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, "aes-128-gcm", null),
        new("aes256gcm16", EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None, "aes-256-gcm", null),
        new("chacha20poly1305", EncryptionAlgorithm.ChaCha20Poly1305, 0, IntegrityAlgorithm.None, "chacha20-poly1305", null),
    ];

    public static IEnumerable<string> Names => All.Select(s => s.Name);

    public static Suite Get(string name) => All.Single(s => s.Name == name);

    public byte[] EncryptionKey() => Filled(TransformSizes.Get(Encryption, KeyBits).KeyMaterialSize, 0x11);

    public byte[] IntegrityKey() => Integrity == IntegrityAlgorithm.None ? [] : Filled(TransformSizes.Get(Integrity).KeySize, 0x22);

    public static byte[] Filled(int length, byte seed)
    {
        var b = new byte[length];
        for (var i = 0; i < length; i++)
            b[i] = (byte)(seed + 31 * i);
        return b;
    }
}
