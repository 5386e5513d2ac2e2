using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>
/// SK payload with AES-GCM-16 (RFC 5282) or ChaCha20-Poly1305 (RFC 7634 §4). The 8-byte explicit IV is a per-instance
/// counter that starts at a random value, so it never repeats under this instance's key (and is very unlikely to
/// collide with another instance that was mistakenly given the same key). No padding is added (pad length 0).
/// </summary>
internal sealed class AeadSkProtection : ISkProtection
{
    private readonly AeadCipher _cipher;
    private readonly EncryptionAlgorithm _algorithm;
    private ulong _nextIv;
    private ulong _sealed;

    internal AeadSkProtection(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> keyMaterial, CipherBackend backend = CipherBackend.Default)
        : this(algorithm, keyMaterial, RandomCounterStart(), backend)
    {
    }

    /// <summary>With a chosen first IV (tests).</summary>
    internal AeadSkProtection(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> keyMaterial, ulong firstIv, CipherBackend backend = CipherBackend.Default)
    {
        _algorithm = algorithm;
        _cipher = new AeadCipher(algorithm, keyMaterial, backend);
        _nextIv = firstIv;
    }

    internal bool UsesOpenSsl => _cipher.IsOpenSsl;

    public int IvSize => AeadCipher.IvSize;

    public int IcvSize => AeadCipher.TagSize;

    public int BlockSize => 1;

    public int SealedLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return IvSize + plaintextLength + 1 + IcvSize;
    }

    public int MaxPlaintextLength(int sealedLength) => Math.Max(0, sealedLength - IvSize - IcvSize);

    public void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ivCiphertextIcv)
    {
        var ctLength = plaintext.Length + 1;
        if (ivCiphertextIcv.Length != IvSize + ctLength + IcvSize)
        {
            throw new ArgumentException("output must be SealedLength(plaintext.Length) bytes", nameof(ivCiphertextIcv));
        }

        if (_sealed == ulong.MaxValue)
        {
            throw new CryptographicException("IV space exhausted; rekey");
        }

        _sealed++;
        var iv = ivCiphertextIcv[..IvSize];
        BinaryPrimitives.WriteUInt64BigEndian(iv, _nextIv++);
        var ct = ivCiphertextIcv.Slice(IvSize, ctLength);
        plaintext.CopyTo(ct);
        ct[^1] = 0;
        _cipher.Encrypt(iv, ct, ct, ivCiphertextIcv[(IvSize + ctLength)..], associatedData);
    }

    public bool TryOpen(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ivCiphertextIcv, Span<byte> plaintext, out int plaintextLength)
    {
        plaintextLength = 0;
        var ctLength = ivCiphertextIcv.Length - IvSize - IcvSize;
        if (ctLength < 1)
        {
            return false;
        }

        if (plaintext.Length < ctLength)
        {
            throw new ArgumentException("plaintext buffer shorter than MaxPlaintextLength", nameof(plaintext));
        }

        var output = plaintext[..ctLength];
        if (!_cipher.TryDecrypt(ivCiphertextIcv[..IvSize], ivCiphertextIcv.Slice(IvSize, ctLength), ivCiphertextIcv[(IvSize + ctLength)..], output, associatedData))
        {
            return false;
        }

        var padLength = output[^1];
        if (padLength + 1 > ctLength)
        {
            output.Clear();
            return false;
        }

        plaintextLength = ctLength - padLength - 1;
        output[plaintextLength..].Clear();
        return true;
    }

    public void Dispose() => _cipher.Dispose();

    public override string ToString() => $"SK {_algorithm} (keys redacted)";

    private static ulong RandomCounterStart()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return BinaryPrimitives.ReadUInt64BigEndian(b);
    }
}
