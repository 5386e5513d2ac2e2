using System.Buffers.Binary;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Esp;

/// <summary>
/// Seals or opens ESP packets (RFC 4303) for one direction of one child SA, in caller-provided buffers. Cipher and
/// HMAC contexts are created and keyed once per instance and reused: by default libcrypto's EVP_CIPHER_CTX and
/// EVP_MAC_CTX directly (per packet only the IV is set), which allocates nothing per packet; when libcrypto 3 cannot
/// be loaded, the .NET primitives (AesGcm, ChaCha20Poly1305, one-shot CBC, IncrementalHash), whose CBC calls
/// allocate a small context inside the framework per packet.
/// <para>Thread-safety: NOT thread-safe. Use one instance per SA direction from one thread at a time (the data
/// plane should give each worker its own instance, or serialize access per SA). The native contexts hold per-message
/// state between calls; concurrent use corrupts packets. Dispose frees (and cleanses) the native contexts.</para>
/// <para>Anti-replay and sequence number inference are the caller's job: <see cref="TryOpen"/> takes the full 64-bit
/// sequence number the caller inferred (RFC 4303 Appendix A) and only uses its high half (ESN) in the integrity check.</para>
/// </summary>
public abstract class EspTransform : IDisposable
{
    private protected EspTransform(EspLayout layout, bool extendedSequenceNumbers)
    {
        Layout = layout;
        ExtendedSequenceNumbers = extendedSequenceNumbers;
    }

    /// <summary>Packet sizes of this suite.</summary>
    public EspLayout Layout { get; }

    /// <summary>True when the SA negotiated ESN (64-bit sequence numbers, high half implicit).</summary>
    public bool ExtendedSequenceNumbers { get; }

    /// <summary>Length of the ESP packet for an inner packet of this length.</summary>
    public int SealedLength(int innerLength) => Layout.PacketLength(innerLength);

    /// <summary>
    /// Writes SPI ‖ Seq(low 32) ‖ IV ‖ ciphertext(inner ‖ padding 1,2,3… ‖ pad length ‖ next header) ‖ ICV into
    /// <paramref name="espPacket"/> and returns its length. <paramref name="espPacket"/> must hold
    /// <see cref="SealedLength"/> bytes and must not overlap <paramref name="innerPacket"/>, except that the inner
    /// packet may already sit at offset <c>8 + IvSize</c> of it (in-place encapsulation).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Without ESN, <paramref name="seq"/> exceeds 32 bits.</exception>
    public int Seal(uint spi, ulong seq, ReadOnlySpan<byte> innerPacket, byte nextHeader, Span<byte> espPacket)
    {
        if (!ExtendedSequenceNumbers && seq > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), "sequence number exceeds 32 bits without ESN; rekey");
        }

        var ctLength = Layout.CiphertextLength(innerPacket.Length);
        var total = EspLayout.HeaderSize + Layout.IvSize + ctLength + Layout.IcvSize;
        if (espPacket.Length < total)
        {
            throw new ArgumentException("ESP buffer shorter than SealedLength(inner)", nameof(espPacket));
        }

        var packet = espPacket[..total];
        BinaryPrimitives.WriteUInt32BigEndian(packet, spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], (uint)seq);
        var ct = packet.Slice(EspLayout.HeaderSize + Layout.IvSize, ctLength);
        innerPacket.CopyTo(ct);
        var padLength = ctLength - innerPacket.Length - EspLayout.TrailerSize;
        for (var i = 0; i < padLength; i++)
        {
            ct[innerPacket.Length + i] = (byte)(i + 1);
        }

        ct[^2] = (byte)padLength;
        ct[^1] = nextHeader;
        SealCore(seq, packet, ctLength);
        return total;
    }

    /// <summary>
    /// Verifies (constant-time) and decrypts an ESP packet; on success writes the inner packet to the start of
    /// <paramref name="payload"/> (which needs <see cref="EspLayout.MaxPayloadBuffer"/> bytes: it receives the padding
    /// too). Checks pad length and the default padding bytes 1,2,3,… (RFC 4303 §2.4). Returns false for any bad packet.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> espPacket, ulong seq, Span<byte> payload, out int payloadLength, out byte nextHeader)
    {
        payloadLength = 0;
        nextHeader = 0;
        var ctLength = espPacket.Length - EspLayout.HeaderSize - Layout.IvSize - Layout.IcvSize;
        if (ctLength < EspLayout.TrailerSize || ctLength % CiphertextGranularity != 0)
        {
            return false;
        }

        if (payload.Length < ctLength)
        {
            throw new ArgumentException("payload buffer shorter than MaxPayloadBuffer(espPacket.Length)", nameof(payload));
        }

        var output = payload[..ctLength];
        if (!OpenCore(espPacket, seq, ctLength, output))
        {
            return false;
        }

        int padLength = output[^2];
        var ok = padLength + EspLayout.TrailerSize <= ctLength;
        var innerLength = ctLength - EspLayout.TrailerSize - padLength;
        for (var i = 0; ok && i < padLength; i++)
        {
            ok = output[innerLength + i] == (byte)(i + 1);
        }

        if (!ok)
        {
            output.Clear();
            return false;
        }

        nextHeader = output[^1];
        output[innerLength..].Clear();
        payloadLength = innerLength;
        return true;
    }

    /// <summary>The ciphertext length must be a multiple of this (cipher block size; 1 for stream/AEAD/NULL).</summary>
    private protected abstract int CiphertextGranularity { get; }

    /// <summary>Encrypts the plaintext already placed at packet[8+IV..] in place, writes the IV before it and the ICV after it.</summary>
    private protected abstract void SealCore(ulong seq, Span<byte> packet, int ctLength);

    /// <summary>Authenticates and decrypts the ciphertext into <paramref name="output"/> (ctLength bytes).</summary>
    private protected abstract bool OpenCore(ReadOnlySpan<byte> packet, ulong seq, int ctLength, Span<byte> output);

    public abstract void Dispose();

    /// <summary>True when this instance runs on libcrypto contexts (tests).</summary>
    internal abstract bool UsesOpenSsl { get; }

    public override string ToString() => $"{GetType().Name}(ESN {ExtendedSequenceNumbers}; keys redacted)";
}

/// <summary>Creates ESP transforms.</summary>
public static class EspTransformFactory
{
    /// <summary>True when the suite is implemented (AEAD with integrity None; AES-CBC/3DES/NULL with an HMAC).</summary>
    public static bool IsSupported(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity)
    {
        if (!TransformSizes.TryGet(encryption, keyLengthBits, out var e) || !TransformSizes.TryGet(integrity, out _))
        {
            return false;
        }

        return e.IsAead ? integrity == IntegrityAlgorithm.None : integrity != IntegrityAlgorithm.None;
    }

    /// <summary>
    /// Creates the transform for one SA direction. <paramref name="encryptionKey"/>: encryption key (AEAD: key ‖ 4-byte salt;
    /// empty for NULL); <paramref name="integrityKey"/>: HMAC key (empty for AEAD).
    /// </summary>
    public static EspTransform Create(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey, bool extendedSequenceNumbers) =>
        Create(encryption, keyLengthBits, integrity, encryptionKey, integrityKey, extendedSequenceNumbers, CipherBackend.Default);

    /// <summary>As the public overload, with an explicit implementation (tests, benchmarks).</summary>
    internal static EspTransform Create(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey, bool extendedSequenceNumbers, CipherBackend backend)
    {
        if (!IsSupported(encryption, keyLengthBits, integrity))
        {
            throw new NotSupportedException($"ESP {encryption}/{keyLengthBits} with {integrity} is not supported");
        }

        var sizes = TransformSizes.Get(encryption, keyLengthBits);
        if (encryptionKey.Length != sizes.KeyMaterialSize)
        {
            throw new ArgumentException($"encryption key must be {sizes.KeyMaterialSize} bytes", nameof(encryptionKey));
        }

        var layout = EspLayout.For(encryption, keyLengthBits, integrity);
        return sizes.IsAead
            ? new AeadEspTransform(encryption, encryptionKey, layout, extendedSequenceNumbers, backend)
            : new CbcHmacEspTransform(encryption, encryptionKey, integrity, integrityKey, layout, extendedSequenceNumbers, backend);
    }
}
