using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>SK payload with AES-CBC or 3DES-CBC and a truncated HMAC (RFC 7296 §3.14). Random IV per message.</summary>
internal sealed class CbcHmacSkProtection : ISkProtection
{
    private readonly CbcCipher _cipher;
    private readonly TruncatedHmac _mac;

    internal CbcHmacSkProtection(EncryptionAlgorithm encryption, ReadOnlySpan<byte> encryptionKey, IntegrityAlgorithm integrity, ReadOnlySpan<byte> integrityKey,
        CipherBackend backend = CipherBackend.Default)
    {
        _cipher = new CbcCipher(encryption, encryptionKey, backend);
        try
        {
            _mac = new TruncatedHmac(integrity, integrityKey, backend);
        }
        catch
        {
            _cipher.Dispose();
            throw;
        }
    }

    internal bool UsesOpenSsl => _cipher.IsOpenSsl && _mac.IsOpenSsl;

    public int IvSize => _cipher.BlockSize;

    public int IcvSize => _mac.IcvSize;

    public int BlockSize => _cipher.BlockSize;

    public int SealedLength(int plaintextLength) => IvSize + CiphertextLength(plaintextLength) + IcvSize;

    public int MaxPlaintextLength(int sealedLength) => Math.Max(0, sealedLength - IvSize - IcvSize);

    private int CiphertextLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return (plaintextLength + 1 + BlockSize - 1) / BlockSize * BlockSize;
    }

    public void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ivCiphertextIcv)
    {
        var ctLength = CiphertextLength(plaintext.Length);
        if (ivCiphertextIcv.Length != IvSize + ctLength + IcvSize)
        {
            throw new ArgumentException("output must be SealedLength(plaintext.Length) bytes", nameof(ivCiphertextIcv));
        }

        var iv = ivCiphertextIcv[..IvSize];
        var ct = ivCiphertextIcv.Slice(IvSize, ctLength);
        plaintext.CopyTo(ct);
        var padLength = ctLength - plaintext.Length - 1;
        ct.Slice(plaintext.Length, padLength).Clear();
        ct[^1] = (byte)padLength;
        _cipher.RandomIv(iv);
        _cipher.Encrypt(iv, ct, ct);
        _mac.Append(associatedData);
        _mac.Append(ivCiphertextIcv[..(IvSize + ctLength)]);
        _mac.Finish(ivCiphertextIcv[(IvSize + ctLength)..]);
    }

    public bool TryOpen(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ivCiphertextIcv, Span<byte> plaintext, out int plaintextLength)
    {
        plaintextLength = 0;
        var ctLength = ivCiphertextIcv.Length - IvSize - IcvSize;
        if (ctLength < BlockSize || ctLength % BlockSize != 0)
        {
            return false;
        }

        if (plaintext.Length < ctLength)
        {
            throw new ArgumentException("plaintext buffer shorter than MaxPlaintextLength", nameof(plaintext));
        }

        _mac.Append(associatedData);
        _mac.Append(ivCiphertextIcv[..(IvSize + ctLength)]);
        if (!_mac.FinishAndVerify(ivCiphertextIcv[(IvSize + ctLength)..]))
        {
            return false;
        }

        var output = plaintext[..ctLength];
        _cipher.Decrypt(ivCiphertextIcv[..IvSize], ivCiphertextIcv.Slice(IvSize, ctLength), output);
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

    public void Dispose()
    {
        _cipher.Dispose();
        _mac.Dispose();
    }

    public override string ToString() => $"SK {_mac.Algorithm} CBC (keys redacted)";
}
