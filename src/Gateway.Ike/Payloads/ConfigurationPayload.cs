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

    public override void WriteBody(Span<byte> d)
    {
        d[0] = (byte)ConfigurationType;
        d[1] = d[2] = d[3] = 0;
        var attributes = new ListView<ConfigurationAttribute>(Attributes);
        int pos = 4;
        for (int i = 0; i < attributes.Count; i++)
            pos += attributes[i].WriteTo(d[pos..]);
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        const PayloadType t = PayloadType.Configuration;
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, t, offset, 4, span.Length);
        // Every attribute takes at least 4 bytes, so this capacity is exact for a CFG_REQUEST (empty values) and an
        // upper bound otherwise; capped so that long values do not make it over-allocate.
        var list = new List<ConfigurationAttribute>(Math.Min((span.Length - 4) / 4, 16));
        int pos = 4;
        while (pos < span.Length)
        {
            if (list.Count >= IkeLimits.MaxConfigurationAttributes)
                return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, t, offset + pos, "too many configuration attributes");
            if (span.Length - pos < 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, "attribute header truncated");
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(span[pos..]) & 0x7FFF);
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length > span.Length - pos - 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, $"attribute {type} value overruns payload");
            if (!ConfigurationAttribute.IsAllowedLength(type, length))
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, t, offset + pos, $"attribute {type} with {length}-byte value");
            list.Add(new ConfigurationAttribute(type, body.Slice(pos + 4, length)));
            pos += 4 + length;
        }
        payload = new ConfigurationPayload((ConfigurationType)span[0], list);
        f = default;
        return true;
    }
}
