using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>
/// Protection of the Encrypted and Authenticated (SK) payload, RFC 7296 §3.14 (CBC + HMAC), RFC 5282 (AES-GCM),
/// RFC 7634 §4 (ChaCha20-Poly1305), for one direction (one key set). The SK payload body is
/// IV ‖ ciphertext(content ‖ padding ‖ pad length) ‖ ICV.
/// <para><c>associatedData</c>: for CBC + HMAC, the message from the IKE header up to the start of the IV (the ICV covers
/// associatedData ‖ IV ‖ ciphertext); for AEAD, the IKE header through the SK payload's generic header (RFC 5282 §5.1).
/// The caller writes header lengths (see <see cref="SealedLength"/>) before sealing.</para>
/// <para>Thread-safety: NOT thread-safe. An instance keeps cipher and HMAC contexts keyed once (libcrypto's
/// EVP_CIPHER_CTX/EVP_MAC_CTX by default, .NET's primitives as the fallback) with per-message state in them: one
/// instance per direction, used from one thread at a time. Dispose frees (and cleanses) the native contexts.</para>
/// </summary>
public interface ISkProtection : IDisposable
{
    /// <summary>Length of the IV at the start of the SK body.</summary>
    int IvSize { get; }

    /// <summary>Length of the integrity checksum at the end of the SK body.</summary>
    int IcvSize { get; }

    /// <summary>Cipher alignment of content ‖ padding ‖ pad length (block size for CBC, 1 for AEAD).</summary>
    int BlockSize { get; }

    /// <summary>Length of IV ‖ ciphertext ‖ ICV for a given content length (using minimal padding).</summary>
    int SealedLength(int plaintextLength);

    /// <summary>Largest content length that <see cref="TryOpen"/> can return for a body of this length (the plaintext buffer must be at least this long).</summary>
    int MaxPlaintextLength(int sealedLength);

    /// <summary>Encrypts and authenticates <paramref name="plaintext"/>; <paramref name="ivCiphertextIcv"/> must be exactly <see cref="SealedLength"/> bytes.</summary>
    void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ivCiphertextIcv);

    /// <summary>
    /// Verifies (constant-time) and decrypts; strips padding after checking the pad length. <paramref name="plaintext"/>
    /// needs <see cref="MaxPlaintextLength"/> bytes (it also receives the padding, which is then cleared).
    /// </summary>
    bool TryOpen(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ivCiphertextIcv, Span<byte> plaintext, out int plaintextLength);
}

/// <summary>Creates SK protection objects.</summary>
public static class SkProtectionFactory
{
    /// <summary>True when the combination is implemented (AEAD with integrity None; CBC with an HMAC).</summary>
    public static bool IsSupported(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity)
    {
        if (!TransformSizes.TryGet(encryption, keyLengthBits, out var e) || !TransformSizes.TryGet(integrity, out _))
        {
            return false;
        }

        return encryption != EncryptionAlgorithm.Null && (e.IsAead ? integrity == IntegrityAlgorithm.None : integrity != IntegrityAlgorithm.None);
    }

    /// <summary>
    /// Creates the protection for one direction. <paramref name="encryptionKey"/> is SK_ei or SK_er (AEAD: key ‖ 4-byte salt);
    /// <paramref name="integrityKey"/> is SK_ai or SK_ar (empty for AEAD).
    /// </summary>
    public static ISkProtection Create(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey) =>
        Create(encryption, keyLengthBits, integrity, encryptionKey, integrityKey, CipherBackend.Default);

    /// <summary>
    /// As <see cref="Create(EncryptionAlgorithm, int, IntegrityAlgorithm, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>,
    /// but keyed per message (<see cref="OnDemandSkProtection"/>): for IKE SAs, which are idle most of their life. The
    /// key arrays stay the caller's and must outlive the protection.
    /// </summary>
    public static ISkProtection CreateOnDemand(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        byte[] encryptionKey, byte[] integrityKey) =>
        new OnDemandSkProtection(encryption, keyLengthBits, integrity, encryptionKey, integrityKey, CipherBackend.Default);

    /// <summary>As the public overload, with an explicit implementation (tests, benchmarks).</summary>
    internal static ISkProtection Create(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey, CipherBackend backend)
    {
        if (!IsSupported(encryption, keyLengthBits, integrity))
        {
            throw new NotSupportedException($"SK protection {encryption}/{keyLengthBits} with {integrity} is not supported");
        }

        var sizes = TransformSizes.Get(encryption, keyLengthBits);
        if (encryptionKey.Length != sizes.KeyMaterialSize)
        {
            throw new ArgumentException($"encryption key must be {sizes.KeyMaterialSize} bytes", nameof(encryptionKey));
        }

        return sizes.IsAead
            ? new AeadSkProtection(encryption, encryptionKey, backend)
            : new CbcHmacSkProtection(encryption, encryptionKey, integrity, integrityKey, backend);
    }
}
