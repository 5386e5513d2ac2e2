using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>CP payload (RFC 7296 §3.15): CFG_REQUEST/REPLY/SET/ACK with attributes.</summary>
public sealed record ConfigurationPayload(ConfigurationType ConfigurationType, IReadOnlyList<ConfigurationAttribute> Attributes) : Payload
{
    public override PayloadType Type => PayloadType.Configuration;

    public override int GetBodySize()
    {
        var attributes = new ListView<ConfigurationAttribute>(Attributes);
        int size = 4;
        for (int i = 0; i < attributes.Count; i++)
            size += attributes[i].GetSize();
        return size;
    }

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)ConfigurationType;
        d[1] = d[2] = d[3] = 0;
        var attributes = new ListView<ConfigurationAttribute>(Attributes);
        int pos = 4;
        for (int i = 0; i < attributes.Count; i++)
            pos += attributes[i].WriteTo(d[pos..]);
        return pos;
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        const PayloadType t = PayloadType.Configuration;
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, t, offset, 4, span.Length);
        var list = new ConfigurationAttribute[CountAttributes(span)];
        int count = 0;
        int pos = 4;
        while (pos < span.Length)
        {
            if (count >= IkeLimits.MaxConfigurationAttributes)
                return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, t, offset + pos, "too many configuration attributes");
            if (span.Length - pos < 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, "attribute header truncated");
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(span[pos..]) & 0x7FFF);
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length > span.Length - pos - 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, $"attribute {type} value overruns payload");
            if (!ConfigurationAttribute.IsAllowedLength(type, length))
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, $"attribute {type} with {length}-byte value");
            // In range: an attribute is reached only where CountAttributes (same header checks) counted one.
            list[count++] = new ConfigurationAttribute(type, body.Slice(pos + 4, length));
            pos += 4 + length;
        }
        payload = new ConfigurationPayload((ConfigurationType)span[0], list);
        f = default;
        return true;
    }

    /// <summary>
    /// The number of attributes, from their headers alone, so that the array is allocated once at its final size.
    /// Stops at the limit or at a truncated header; the parse reports the defect.
    /// </summary>
    private static int CountAttributes(ReadOnlySpan<byte> span)
    {
        int count = 0;
        for (int pos = 4; span.Length - pos >= 4 && count < IkeLimits.MaxConfigurationAttributes; count++)
            pos += 4 + BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
        return count;
    }
}
