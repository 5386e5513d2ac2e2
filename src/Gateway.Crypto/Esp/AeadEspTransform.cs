using System.Buffers.Binary;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Esp;

/// <summary>
/// ESP with AES-GCM-16 (RFC 4106) or ChaCha20-Poly1305 (RFC 7634). Nonce = salt(4) ‖ IV(8); the IV is the 64-bit
/// sequence number, unique per key (RFC 4106 §3.1, RFC 7634 §2). AAD = SPI ‖ Seq(low) or, with ESN,
/// SPI ‖ Seq(high) ‖ Seq(low) (RFC 4106 §5, RFC 7634 §2.1).
/// </summary>
internal sealed class AeadEspTransform : EspTransform
{
    private readonly AeadCipher _cipher;
    private readonly byte[] _aad = new byte[12];

    internal AeadEspTransform(EncryptionAlgorithm encryption, ReadOnlySpan<byte> keyMaterial, EspLayout layout, bool esn,
        CipherBackend backend = CipherBackend.Default)
        : base(layout, esn)
    {
        _cipher = new AeadCipher(encryption, keyMaterial, backend);
    }

    internal override bool UsesOpenSsl => _cipher.IsOpenSsl;

    /// <summary>Tests only: write this IV instead of the sequence number (to reproduce published packets).</summary>
    internal ulong? FixedIvForTests { get; set; }

    private protected override int CiphertextGranularity => 1;

    private protected override void SealCore(ulong seq, Span<byte> packet, int ctLength)
    {
        var iv = packet.Slice(EspLayout.HeaderSize, AeadCipher.IvSize);
        BinaryPrimitives.WriteUInt64BigEndian(iv, FixedIvForTests ?? seq);
        var ct = packet.Slice(EspLayout.HeaderSize + AeadCipher.IvSize, ctLength);
        var aad = BuildAad(packet, seq);
        _cipher.Encrypt(iv, ct, ct, packet.Slice(EspLayout.HeaderSize + AeadCipher.IvSize + ctLength, AeadCipher.TagSize), aad);
    }

    private protected override bool OpenCore(ReadOnlySpan<byte> packet, ulong seq, int ctLength, Span<byte> output)
    {
        var aad = BuildAad(packet, seq);
        var ctStart = EspLayout.HeaderSize + AeadCipher.IvSize;
        return _cipher.TryDecrypt(packet.Slice(EspLayout.HeaderSize, AeadCipher.IvSize), packet.Slice(ctStart, ctLength),
            packet.Slice(ctStart + ctLength, AeadCipher.TagSize), output, aad);
    }

    private ReadOnlySpan<byte> BuildAad(ReadOnlySpan<byte> packet, ulong seq)
    {
        packet[..4].CopyTo(_aad);
        if (ExtendedSequenceNumbers)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_aad.AsSpan(4), (uint)(seq >> 32));
            packet.Slice(4, 4).CopyTo(_aad.AsSpan(8));
            return _aad;
        }

        packet.Slice(4, 4).CopyTo(_aad.AsSpan(4));
        return _aad.AsSpan(0, 8);
    }

    public override void Dispose() => _cipher.Dispose();
}
