using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>
/// HMAC with truncated output (HMAC-SHA1-96, HMAC-SHA2-256-128, -384-192, -512-256; RFC 2404, RFC 4868).
/// Keeps one keyed <see cref="IncrementalHash"/> (OpenSSL HMAC context) so a packet costs no allocation.
/// Not thread-safe.
/// </summary>
internal sealed class TruncatedHmac : IDisposable
{
    private readonly IncrementalHash _hmac;
    private readonly byte[] _full;

    internal TruncatedHmac(IntegrityAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        var (hash, keySize, icvSize, fullSize) = algorithm switch
        {
            IntegrityAlgorithm.HmacSha1_96 => (HashAlgorithmName.SHA1, 20, 12, 20),
            IntegrityAlgorithm.HmacSha2_256_128 => (HashAlgorithmName.SHA256, 32, 16, 32),
            IntegrityAlgorithm.HmacSha2_384_192 => (HashAlgorithmName.SHA384, 48, 24, 48),
            IntegrityAlgorithm.HmacSha2_512_256 => (HashAlgorithmName.SHA512, 64, 32, 64),
            _ => throw new NotSupportedException($"integrity {algorithm} is not supported"),
        };
        if (key.Length != keySize)
        {
            throw new ArgumentException($"{algorithm} needs a {keySize}-byte key", nameof(key));
        }

        Algorithm = algorithm;
        IcvSize = icvSize;
        _full = new byte[fullSize];
        _hmac = IncrementalHash.CreateHMAC(hash, key);
    }

    internal IntegrityAlgorithm Algorithm { get; }

    internal int IcvSize { get; }

    internal void Append(ReadOnlySpan<byte> data) => _hmac.AppendData(data);

    /// <summary>Finishes the MAC of everything appended and writes the truncated ICV; resets for the next message.</summary>
    internal void Finish(Span<byte> icv)
    {
        _hmac.GetHashAndReset(_full);
        _full.AsSpan(0, IcvSize).CopyTo(icv);
    }

    /// <summary>Finishes the MAC and compares with <paramref name="icv"/> in constant time; resets for the next message.</summary>
    internal bool FinishAndVerify(ReadOnlySpan<byte> icv)
    {
        _hmac.GetHashAndReset(_full);
        return icv.Length == IcvSize && CryptographicOperations.FixedTimeEquals(_full.AsSpan(0, IcvSize), icv);
    }

    public void Dispose()
    {
        _hmac.Dispose();
        CryptographicOperations.ZeroMemory(_full);
    }
}

/// <summary>A CBC block cipher (AES or 3DES) keyed once, via .NET's OpenSSL-backed one-shot span APIs.</summary>
internal sealed class CbcCipher : IDisposable
{
    private readonly SymmetricAlgorithm _cipher;

    internal CbcCipher(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        switch (algorithm)
        {
            case EncryptionAlgorithm.AesCbc when key.Length is 16 or 24 or 32:
                _cipher = Aes.Create();
                BlockSize = 16;
                break;
            case EncryptionAlgorithm.TripleDes when key.Length == 24:
                _cipher = TripleDES.Create();
                BlockSize = 8;
                break;
            default:
                throw new ArgumentException($"bad key length {key.Length} for {algorithm}", nameof(key));
        }

        _cipher.SetKey(key);
    }

    internal int BlockSize { get; }

    /// <summary>Encrypts whole blocks (no padding). Source and destination may be the same buffer.</summary>
    internal void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination) =>
        _cipher.EncryptCbc(plaintext, iv, destination, PaddingMode.None);

    /// <summary>Decrypts whole blocks (no padding). Source and destination may be the same buffer.</summary>
    internal void Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination) =>
        _cipher.DecryptCbc(ciphertext, iv, destination, PaddingMode.None);

    public void Dispose() => _cipher.Dispose();
}

/// <summary>AES-GCM with a 16-byte tag or ChaCha20-Poly1305, keyed once; nonce = salt(4) ‖ explicit IV(8).</summary>
internal sealed class AeadCipher : IDisposable
{
    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly byte[] _nonce = new byte[12];

    internal const int TagSize = 16;
    internal const int SaltSize = 4;
    internal const int IvSize = 8;

    /// <param name="keyMaterial">Key followed by the 4-byte salt (RFC 4106 §8.1, RFC 5282 §7.1, RFC 7634 §3).</param>
    internal AeadCipher(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> keyMaterial)
    {
        var key = keyMaterial[..^SaltSize];
        switch (algorithm)
        {
            case EncryptionAlgorithm.AesGcm16 when key.Length is 16 or 24 or 32:
                _gcm = new AesGcm(key, TagSize);
                break;
            case EncryptionAlgorithm.ChaCha20Poly1305 when key.Length == 32:
                _chacha = new ChaCha20Poly1305(key);
                break;
            default:
                throw new ArgumentException($"bad key material length {keyMaterial.Length} for {algorithm}", nameof(keyMaterial));
        }

        keyMaterial[^SaltSize..].CopyTo(_nonce);
    }

    internal void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        iv.CopyTo(_nonce.AsSpan(SaltSize));
        if (_gcm is not null)
        {
            _gcm.Encrypt(_nonce, plaintext, ciphertext, tag, aad);
        }
        else
        {
            _chacha!.Encrypt(_nonce, plaintext, ciphertext, tag, aad);
        }
    }

    internal bool TryDecrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        iv.CopyTo(_nonce.AsSpan(SaltSize));
        try
        {
            if (_gcm is not null)
            {
                _gcm.Decrypt(_nonce, ciphertext, tag, plaintext, aad);
            }
            else
            {
                _chacha!.Decrypt(_nonce, ciphertext, tag, plaintext, aad);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // .NET clears the plaintext buffer on failure.
            return false;
        }
    }

    public void Dispose()
    {
        _gcm?.Dispose();
        _chacha?.Dispose();
        CryptographicOperations.ZeroMemory(_nonce);
    }
}
