using Gateway.Crypto.Esp;
using Gateway.Esp;

namespace Gateway.DataPlane;

/// <summary>
/// Gateway.Crypto's <see cref="EspTransform"/> behind Gateway.Esp's <see cref="IEspCipher"/> seam (the two libraries
/// do not know each other). Not thread-safe, like the transform: each SA direction is pinned to one ESP worker.
/// </summary>
internal sealed class EspCipherAdapter(EspTransform transform) : IEspCipher, IDisposable
{
    // Header + IV + ICV + the most padding (Alignment - 1) + pad length and next header.
    public int MaxOverhead { get; } = EspLayout.HeaderSize + transform.Layout.IvSize + transform.Layout.IcvSize +
                                      transform.Layout.Alignment - 1 + EspLayout.TrailerSize;

    public int Seal(uint spi, ulong seq, ReadOnlySpan<byte> inner, byte nextHeader, Span<byte> espPacket) =>
        transform.Seal(spi, seq, inner, nextHeader, espPacket);

    public bool TryOpen(ReadOnlySpan<byte> espPacket, ulong seq, Span<byte> payload, out int payloadLength, out byte nextHeader) =>
        transform.TryOpen(espPacket, seq, payload, out payloadLength, out nextHeader);

    public void Dispose() => transform.Dispose();

    public override string ToString() => transform.ToString();
}
