using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>Which implementation runs the SK and ESP ciphers and HMACs.</summary>
internal enum CipherBackend
{
    /// <summary>libcrypto when it loaded (<see cref="CipherBackends.UseOpenSsl"/>), else managed.</summary>
    Default,
    /// <summary>OpenSSL's libcrypto directly: one EVP_CIPHER_CTX / EVP_MAC_CTX per SA direction, keyed once (<see cref="OpenSslCipher"/>).</summary>
    OpenSsl,
    /// <summary>.NET's System.Security.Cryptography (AesGcm, ChaCha20Poly1305, Aes/TripleDES one-shot CBC, IncrementalHash): the fallback.</summary>
    Managed,
}

/// <summary>The internal switch between the two implementations of the SK/ESP primitives (the key exchange pattern).</summary>
internal static class CipherBackends
{
    private static bool _useOpenSsl = OpenSslCipher.IsAvailable;

    /// <summary>
    /// True (default when libcrypto 3 loads with every algorithm) runs SK and ESP on libcrypto contexts keyed once;
    /// false uses the .NET primitives. Tests and benchmarks pass an explicit backend instead of flipping this.
    /// </summary>
    internal static bool UseOpenSsl
    {
        get => _useOpenSsl;
        set => _useOpenSsl = value && OpenSslCipher.IsAvailable;
    }

    internal static CipherBackend Resolve(CipherBackend backend) => backend switch
    {
        CipherBackend.Default => UseOpenSsl ? CipherBackend.OpenSsl : CipherBackend.Managed,
        CipherBackend.OpenSsl when !OpenSslCipher.IsAvailable => throw new PlatformNotSupportedException("libcrypto 3 is not available"),
        _ => backend,
    };
}

/// <summary>
/// HMAC with truncated output (HMAC-SHA1-96, HMAC-SHA2-256-128, -384-192, -512-256; RFC 2404, RFC 4868), keyed once.
/// libcrypto: <see cref="OpenSslDigestHmac"/> (low-level digest functions, ipad/opad states absorbed once); managed:
/// one keyed <see cref="IncrementalHash"/>. No allocation per message either way. Not thread-safe.
/// </summary>
internal sealed class TruncatedHmac : IDisposable
{
    private readonly IncrementalHash? _managed;
    private readonly OpenSslDigestHmac? _native;
    private readonly int _fullSize;

    internal TruncatedHmac(IntegrityAlgorithm algorithm, ReadOnlySpan<byte> key, CipherBackend backend = CipherBackend.Default)
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
        _fullSize = fullSize;
        if (CipherBackends.Resolve(backend) == CipherBackend.OpenSsl)
        {
            _native = new OpenSslDigestHmac(hash.Name!, key);
        }
        else
        {
            _managed = IncrementalHash.CreateHMAC(hash, key);
        }
    }

    internal IntegrityAlgorithm Algorithm { get; }

    internal int IcvSize { get; }

    internal bool IsOpenSsl => _native is not null;

    internal void Append(ReadOnlySpan<byte> data)
    {
        if (_native is not null)
        {
            _native.Update(data);
        }
        else
        {
            _managed!.AppendData(data);
        }
    }

    /// <summary>Finishes the MAC of everything appended and writes the truncated ICV; resets for the next message.</summary>
    internal void Finish(Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[64];
        FinishFull(full[.._fullSize]);
        full[..IcvSize].CopyTo(icv);
        CryptographicOperations.ZeroMemory(full);
    }

    /// <summary>Finishes the MAC and compares with <paramref name="icv"/> in constant time; resets for the next message.</summary>
    internal bool FinishAndVerify(ReadOnlySpan<byte> icv)
    {
        Span<byte> full = stackalloc byte[64];
        FinishFull(full[.._fullSize]);
        var ok = icv.Length == IcvSize && CryptographicOperations.FixedTimeEquals(full[..IcvSize], icv);
        CryptographicOperations.ZeroMemory(full);
        return ok;
    }

    private void FinishFull(Span<byte> full)
    {
        if (_native is not null)
        {
            _native.FinalAndReset(full);
        }
        else
        {
            _managed!.GetHashAndReset(full);
        }
    }

    public void Dispose()
    {
        _managed?.Dispose();
        _native?.Dispose();
    }
}

/// <summary>
/// A CBC block cipher (AES or 3DES) keyed once, padding off (whole blocks only). The libcrypto backend: AES on the
/// CPU's AES instructions (<see cref="AesNiCbc"/>) when it has them, else (and for 3DES) one EVP_CIPHER_CTX per
/// direction keyed at construction, per message only the IV; IVs from libcrypto's CSPRNG either way. Managed: .NET's
/// OpenSSL-backed one-shot span APIs, which set the key up again and allocate a small context on every call. Not
/// thread-safe.
/// </summary>
internal sealed class CbcCipher : IDisposable
{
    private readonly SymmetricAlgorithm? _managed;
    private readonly AesNiCbc? _aesNi;
    private readonly OpenSslCipher.SafeCipherCtx? _encrypt;
    private readonly OpenSslCipher.SafeCipherCtx? _decrypt;

    // libcrypto backend: IVs from the thread's IvPool (libcrypto's CSPRNG, drawn 1 KiB at a time).
    private readonly bool _pooledIvs;

    internal CbcCipher(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> key, CipherBackend backend = CipherBackend.Default)
    {
        string name;
        switch (algorithm)
        {
            case EncryptionAlgorithm.AesCbc when key.Length is 16 or 24 or 32:
                name = $"AES-{key.Length * 8}-CBC";
                BlockSize = 16;
                break;
            case EncryptionAlgorithm.TripleDes when key.Length == 24:
                name = "DES-EDE3-CBC";
                BlockSize = 8;
                break;
            default:
                throw new ArgumentException($"bad key length {key.Length} for {algorithm}", nameof(key));
        }

        if (CipherBackends.Resolve(backend) == CipherBackend.OpenSsl)
        {
            if (algorithm == EncryptionAlgorithm.AesCbc && AesNiCbc.IsSupported)
            {
                _aesNi = new AesNiCbc(key);
            }
            else
            {
                // CBC decryption uses the inverse key schedule: one context per direction.
                (_encrypt, _decrypt) = OpenSslCipher.CreateCipherPair(name, key);
            }

            _pooledIvs = true;
        }
        else
        {
            _managed = algorithm == EncryptionAlgorithm.AesCbc ? Aes.Create() : TripleDES.Create();
            _managed.SetKey(key);
        }
    }

    internal int BlockSize { get; }

    /// <summary>True on the libcrypto backend (AES-NI or EVP contexts), false on the .NET fallback.</summary>
    internal bool IsOpenSsl => _managed is null;

    /// <summary>True when AES runs on <see cref="AesNiCbc"/> (tests).</summary>
    internal bool UsesAesNi => _aesNi is not null;

    /// <summary>A fresh random IV (RFC 3602 §2.2: unpredictable): libcrypto's RAND_bytes or .NET's RandomNumberGenerator.</summary>
    internal void RandomIv(Span<byte> iv)
    {
        if (_pooledIvs && IvPool.Fits(iv.Length))
        {
            IvPool.Fill(iv);
        }
        else
        {
            RandomNumberGenerator.Fill(iv);
        }
    }

    /// <summary>Encrypts whole blocks (no padding). Source and destination may be the same buffer.</summary>
    internal void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_aesNi is not null)
        {
            _aesNi.Encrypt(iv, plaintext, destination);
        }
        else if (_encrypt is not null)
        {
            OpenSslCipher.Cbc(_encrypt, encrypt: true, BlockSize, iv, plaintext, destination);
        }
        else
        {
            _managed!.EncryptCbc(plaintext, iv, destination, PaddingMode.None);
        }
    }

    /// <summary>Decrypts whole blocks (no padding). Source and destination may be the same buffer.</summary>
    internal void Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        if (_aesNi is not null)
        {
            _aesNi.Decrypt(iv, ciphertext, destination);
        }
        else if (_decrypt is not null)
        {
            OpenSslCipher.Cbc(_decrypt, encrypt: false, BlockSize, iv, ciphertext, destination);
        }
        else
        {
            _managed!.DecryptCbc(ciphertext, iv, destination, PaddingMode.None);
        }
    }

    public void Dispose()
    {
        _managed?.Dispose();
        _aesNi?.Dispose();
        _encrypt?.Dispose();
        _decrypt?.Dispose();
    }
}

/// <summary>
/// AES-GCM with a 16-byte tag or ChaCha20-Poly1305, keyed once; nonce = salt(4) ‖ explicit IV(8). libcrypto: one
/// EVP_CIPHER_CTX per direction keyed at construction, per message the nonce, AAD, data, final and tag; managed:
/// .NET's AesGcm/ChaCha20Poly1305 (which set the key up again inside OpenSSL on every call). Not thread-safe.
/// </summary>
internal sealed class AeadCipher : IDisposable
{
    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly OpenSslCipher.SafeCipherCtx? _encrypt;
    private readonly OpenSslCipher.SafeCipherCtx? _decrypt;
    private readonly byte[] _nonce = new byte[12];

    internal const int TagSize = 16;
    internal const int SaltSize = 4;
    internal const int IvSize = 8;

    /// <param name="keyMaterial">Key followed by the 4-byte salt (RFC 4106 §8.1, RFC 5282 §7.1, RFC 7634 §3).</param>
    /// <param name="backend">Implementation (default: the <see cref="CipherBackends.UseOpenSsl"/> switch).</param>
    internal AeadCipher(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> keyMaterial, CipherBackend backend = CipherBackend.Default)
    {
        if (keyMaterial.Length < SaltSize)
        {
            throw new ArgumentException($"bad key material length {keyMaterial.Length} for {algorithm}", nameof(keyMaterial));
        }

        var key = keyMaterial[..^SaltSize];
        var name = algorithm switch
        {
            EncryptionAlgorithm.AesGcm16 when key.Length is 16 or 24 or 32 => $"AES-{key.Length * 8}-GCM",
            EncryptionAlgorithm.ChaCha20Poly1305 when key.Length == 32 => "ChaCha20-Poly1305",
            _ => throw new ArgumentException($"bad key material length {keyMaterial.Length} for {algorithm}", nameof(keyMaterial)),
        };
        if (CipherBackends.Resolve(backend) == CipherBackend.OpenSsl)
        {
            // The default IV length of both ciphers is 12 bytes, the length of salt ‖ IV.
            (_encrypt, _decrypt) = OpenSslCipher.CreateCipherPair(name, key);
        }
        else if (algorithm == EncryptionAlgorithm.AesGcm16)
        {
            _gcm = new AesGcm(key, TagSize);
        }
        else
        {
            _chacha = new ChaCha20Poly1305(key);
        }

        keyMaterial[^SaltSize..].CopyTo(_nonce);
    }

    internal bool IsOpenSsl => _encrypt is not null;

    internal void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad)
    {
        iv.CopyTo(_nonce.AsSpan(SaltSize));
        if (_encrypt is not null)
        {
            OpenSslCipher.AeadEncrypt(_encrypt, _nonce, aad, plaintext, ciphertext, tag[..TagSize]);
        }
        else if (_gcm is not null)
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
        if (_decrypt is not null)
        {
            // Clears the plaintext when the tag does not verify, like .NET does.
            return tag.Length == TagSize && OpenSslCipher.AeadDecrypt(_decrypt, _nonce, aad, ciphertext, tag, plaintext);
        }

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
        _encrypt?.Dispose();
        _decrypt?.Dispose();
        CryptographicOperations.ZeroMemory(_nonce);
    }
}
