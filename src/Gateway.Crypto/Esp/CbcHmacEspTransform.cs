using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Esp;

/// <summary>
/// ESP with AES-CBC (RFC 3602), 3DES-CBC (RFC 2451) or NULL (RFC 2410) encryption and an HMAC (RFC 2404, RFC 4868).
/// The ICV covers ESP header ‖ IV ‖ ciphertext, plus the high 32 bits of the sequence number with ESN (RFC 4303 §2.2.1).
/// CBC IVs are random (RFC 3602 §2.2).
/// </summary>
internal sealed class CbcHmacEspTransform : EspTransform
{
    private readonly CbcCipher? _cipher;
    private readonly TruncatedHmac _mac;
    private readonly byte[] _seqHigh = new byte[4];

    internal CbcHmacEspTransform(EncryptionAlgorithm encryption, ReadOnlySpan<byte> encryptionKey, IntegrityAlgorithm integrity,
        ReadOnlySpan<byte> integrityKey, EspLayout layout, bool esn, CipherBackend backend = CipherBackend.Default)
        : base(layout, esn)
    {
        _cipher = encryption == EncryptionAlgorithm.Null ? null : new CbcCipher(encryption, encryptionKey, backend);
        try
        {
            _mac = new TruncatedHmac(integrity, integrityKey, backend);
        }
        catch
        {
            _cipher?.Dispose();
            throw;
        }
    }

    internal override bool UsesOpenSsl => _mac.IsOpenSsl;

    /// <summary>Tests only: use this IV instead of a random one.</summary>
    internal byte[]? FixedIvForTests { get; set; }

    private protected override int CiphertextGranularity => _cipher?.BlockSize ?? 1;

    private protected override void SealCore(ulong seq, Span<byte> packet, int ctLength)
    {
        var ivSize = Layout.IvSize;
        var authenticated = packet[..(EspLayout.HeaderSize + ivSize + ctLength)];
        if (_cipher is not null)
        {
            var iv = packet.Slice(EspLayout.HeaderSize, ivSize);
            if (FixedIvForTests is { } fixedIv)
            {
                fixedIv.CopyTo(iv);
            }
            else
            {
                _cipher.RandomIv(iv);
            }

            var ct = packet.Slice(EspLayout.HeaderSize + ivSize, ctLength);
            _cipher.Encrypt(iv, ct, ct);
        }

        _mac.Append(authenticated);
        AppendSeqHigh(seq);
        _mac.Finish(packet[authenticated.Length..]);
    }

    private protected override bool OpenCore(ReadOnlySpan<byte> packet, ulong seq, int ctLength, Span<byte> output)
    {
        var ivSize = Layout.IvSize;
        var authenticatedLength = EspLayout.HeaderSize + ivSize + ctLength;
        _mac.Append(packet[..authenticatedLength]);
        AppendSeqHigh(seq);
        if (!_mac.FinishAndVerify(packet[authenticatedLength..]))
        {
            return false;
        }

        var ct = packet.Slice(EspLayout.HeaderSize + ivSize, ctLength);
        if (_cipher is null)
        {
            ct.CopyTo(output);
        }
        else
        {
            _cipher.Decrypt(packet.Slice(EspLayout.HeaderSize, ivSize), ct, output);
        }

        return true;
    }

    private void AppendSeqHigh(ulong seq)
    {
        if (ExtendedSequenceNumbers)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_seqHigh, (uint)(seq >> 32));
            _mac.Append(_seqHigh);
        }
    }

    public override void Dispose()
    {
        _cipher?.Dispose();
        _mac.Dispose();
    }
}
