namespace Gateway.Esp;

/// <summary>
/// One direction of one ESP SA's cryptographic transform (RFC 4303 §2, §3.3.2, §3.4.2). The data plane only frames,
/// counts and routes; the transform owns the ESP header, IV, padding, trailer and ICV. The Gateway.Crypto ESP
/// transforms plug in through a one-line adapter, so Gateway.Esp needs no reference to Gateway.Crypto.
/// </summary>
public interface IEspCipher
{
    /// <summary>
    /// Upper bound of the bytes Seal adds to an inner packet: SPI + sequence (8), IV, padding, pad length,
    /// next header and ICV. Used to size buffers and to derive the TUN MTU from the path MTU.
    /// </summary>
    int MaxOverhead { get; }

    /// <summary>Writes a complete ESP packet (header through ICV) for <paramref name="inner"/>; returns its length.</summary>
    /// <param name="seq">Full 64-bit sequence number; only the low 32 bits go on the wire, the high bits enter the ICV with ESN.</param>
    int Seal(uint spi, ulong seq, ReadOnlySpan<byte> inner, byte nextHeader, Span<byte> espPacket);

    /// <summary>
    /// Verifies the ICV and decrypts an ESP packet (header through ICV). Returns false when verification fails or the
    /// packet is malformed; nothing is written that the caller may use in that case.
    /// </summary>
    /// <param name="seq">Full 64-bit sequence number inferred by <see cref="ReplayWindow.TryInferAndCheck"/>.</param>
    bool TryOpen(ReadOnlySpan<byte> espPacket, ulong seq, Span<byte> payload, out int payloadLength, out byte nextHeader);
}
