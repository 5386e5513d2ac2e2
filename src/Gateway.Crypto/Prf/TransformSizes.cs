using Gateway.Ike;

namespace Gateway.Crypto.Prf;

/// <summary>
/// Sizes of an encryption transform as negotiated (algorithm + key length attribute). All sizes in bytes.
/// <see cref="KeyMaterialSize"/> (key + salt) is what the key schedule takes for SK_e* and ESP encryption keys.
/// </summary>
public readonly record struct EncryptionSizes(int KeySize, int SaltSize, int IvSize, int BlockSize, int IcvSize)
{
    /// <summary>Bytes of keying material to derive: key followed by salt (RFC 5282 §7.1, RFC 4106 §8.1, RFC 7634 §3).</summary>
    public int KeyMaterialSize => KeySize + SaltSize;

    /// <summary>True for combined-mode (AEAD) ciphers that need no separate integrity transform.</summary>
    public bool IsAead => IcvSize > 0;
}

/// <summary>Sizes of an integrity transform, in bytes.</summary>
public readonly record struct IntegritySizes(int KeySize, int IcvSize);

/// <summary>Key, salt, IV, block and ICV sizes per transform (RFC 3602, 2451, 4106, 5282, 7634, 2404, 4868).</summary>
public static class TransformSizes
{
    /// <summary>True when this library implements the encryption transform with this key length (bits; 0 = none given).</summary>
    public static bool IsSupported(EncryptionAlgorithm algorithm, int keyLengthBits) => TryGet(algorithm, keyLengthBits, out _);

    /// <summary>True when this library implements the integrity transform (None counts, for AEAD suites).</summary>
    public static bool IsSupported(IntegrityAlgorithm algorithm) => TryGet(algorithm, out _);

    /// <summary>Sizes for an encryption transform; <paramref name="keyLengthBits"/> is the Key Length attribute (0 if absent).</summary>
    public static bool TryGet(EncryptionAlgorithm algorithm, int keyLengthBits, out EncryptionSizes sizes)
    {
        sizes = default;
        switch (algorithm)
        {
            case EncryptionAlgorithm.AesCbc when keyLengthBits is 128 or 192 or 256:
                sizes = new EncryptionSizes(keyLengthBits / 8, 0, 16, 16, 0);
                return true;
            case EncryptionAlgorithm.TripleDes when keyLengthBits is 0 or 192:
                sizes = new EncryptionSizes(24, 0, 8, 8, 0);
                return true;
            case EncryptionAlgorithm.AesGcm16 when keyLengthBits is 128 or 192 or 256:
                // 192-bit GCM is defined; .NET AesGcm supports it too.
                sizes = new EncryptionSizes(keyLengthBits / 8, 4, 8, 4, 16);
                return true;
            case EncryptionAlgorithm.ChaCha20Poly1305 when keyLengthBits is 0 or 256:
                sizes = new EncryptionSizes(32, 4, 8, 4, 16);
                return true;
            case EncryptionAlgorithm.Null when keyLengthBits is 0:
                sizes = new EncryptionSizes(0, 0, 0, 4, 0);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Sizes for an encryption transform.</summary>
    /// <exception cref="NotSupportedException">Not implemented.</exception>
    public static EncryptionSizes Get(EncryptionAlgorithm algorithm, int keyLengthBits) =>
        TryGet(algorithm, keyLengthBits, out var s) ? s : throw new NotSupportedException($"encryption {algorithm}/{keyLengthBits} is not supported");

    /// <summary>Sizes for an integrity transform (None → 0/0).</summary>
    public static bool TryGet(IntegrityAlgorithm algorithm, out IntegritySizes sizes)
    {
        sizes = algorithm switch
        {
            IntegrityAlgorithm.None => new IntegritySizes(0, 0),
            IntegrityAlgorithm.HmacSha1_96 => new IntegritySizes(20, 12),
            IntegrityAlgorithm.HmacSha2_256_128 => new IntegritySizes(32, 16),
            IntegrityAlgorithm.HmacSha2_384_192 => new IntegritySizes(48, 24),
            IntegrityAlgorithm.HmacSha2_512_256 => new IntegritySizes(64, 32),
            _ => new IntegritySizes(-1, -1),
        };
        return sizes.KeySize >= 0;
    }

    /// <summary>Sizes for an integrity transform.</summary>
    /// <exception cref="NotSupportedException">Not implemented.</exception>
    public static IntegritySizes Get(IntegrityAlgorithm algorithm) =>
        TryGet(algorithm, out var s) ? s : throw new NotSupportedException($"integrity {algorithm} is not supported");
}
