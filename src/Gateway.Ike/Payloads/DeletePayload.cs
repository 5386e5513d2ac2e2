using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>D payload (RFC 7296 §3.11): an IKE SA delete carries no SPIs; ESP/AH deletes carry 4-byte SPIs.</summary>
public sealed record DeletePayload(ProtocolId Protocol, IReadOnlyList<uint> Spis) : Payload
{
    public override PayloadType Type => PayloadType.Delete;

    private int SpiSize => Protocol == ProtocolId.Ike ? 0 : 4;

    public override int GetBodySize() => 4 + SpiSize * Spis.Count;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)Protocol;
        d[1] = (byte)SpiSize;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)Spis.Count);
        for (int i = 0; i < Spis.Count && SpiSize == 4; i++)
            BinaryPrimitives.WriteUInt32BigEndian(d[(4 + 4 * i)..], Spis[i]);
        return GetBodySize();
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        const PayloadType t = PayloadType.Delete;
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, t, offset, 4, span.Length);
        var protocol = (ProtocolId)span[0];
        int spiSize = span[1];
        int count = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah))
            return ParseHelpers.Fail(out f, IkeParseError.InvalidProtocolId, t, offset, $"protocol {span[0]} in delete");
        if (protocol == ProtocolId.Ike ? spiSize != 0 || count != 0 : spiSize != 4)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidSpiSize, t, offset + 1, $"SPI size {spiSize} with {count} SPIs for {protocol}");
        if (count > IkeLimits.MaxDeleteSpis)
            return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, t, offset + 2, $"{count} SPIs");
        if (4 + spiSize * count != span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.LengthMismatch, t, offset, $"{count} SPIs of {spiSize} bytes in a {span.Length}-byte body");
        var spis = new uint[count];
        for (int i = 0; i < count && spiSize == 4; i++)
            spis[i] = BinaryPrimitives.ReadUInt32BigEndian(span[(4 + 4 * i)..]);
        payload = new DeletePayload(protocol, spis);
        f = default;
        return true;
    }
}
