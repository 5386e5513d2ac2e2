using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>
/// A transform attribute (RFC 7296 §3.3.5). TV form (AF bit set) carries a 16-bit value; TLV form carries bytes.
/// Only Key Length (14, TV form) is defined for IKEv2; others are kept raw.
/// </summary>
public readonly record struct TransformAttribute(ushort AttributeType, bool IsTypeValue, ushort Value, ReadOnlyMemory<byte> Data)
{
    private const ushort FormatBit = 0x8000;

    /// <summary>A TV attribute, e.g. Key Length.</summary>
    public static TransformAttribute Tv(TransformAttributeType type, ushort value) => new((ushort)type, true, value, default);

    /// <summary>A TLV attribute with a variable-length value.</summary>
    public static TransformAttribute Tlv(ushort type, ReadOnlyMemory<byte> data) => new(type, false, 0, data);

    public int GetSize() => IsTypeValue ? 4 : 4 + Data.Length;

    public int WriteTo(Span<byte> d)
    {
        if (IsTypeValue)
        {
            BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)(AttributeType | FormatBit));
            BinaryPrimitives.WriteUInt16BigEndian(d[2..], Value);
            return 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)(AttributeType & 0x7FFF));
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)Data.Length);
        Data.Span.CopyTo(d[4..]);
        return 4 + Data.Length;
    }

    /// <summary>Parses all attributes filling <paramref name="body"/>.</summary>
    /// <remarks>
    /// Returns an array, not a List: most transforms have no attribute (the shared empty array) or one Key Length.
    /// Each attribute takes at least 4 bytes, so body length / 4 (capped at the limit) bounds the count: when it is
    /// reached, fewer than 4 bytes remain and the truncation check fails before the array could overflow. The
    /// array is only trimmed when TLV values make the real count smaller.
    /// </remarks>
    internal static bool TryParseList(ReadOnlyMemory<byte> body, int offset, out TransformAttribute[] list, out IkeParseFailure f)
    {
        var span = body.Span;
        if (span.Length == 4 && SharedKeyLength(BinaryPrimitives.ReadUInt32BigEndian(span)) is { } shared)
        {
            list = shared;
            f = default;
            return true;
        }
        list = span.Length == 0 ? [] : new TransformAttribute[Math.Min(span.Length / 4, IkeLimits.MaxAttributesPerTransform)];
        int count = 0;
        int pos = 0;
        while (pos < span.Length)
        {
            if (count >= IkeLimits.MaxAttributesPerTransform)
                return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, PayloadType.SecurityAssociation, offset + pos, "too many transform attributes");
            if (span.Length - pos < 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, PayloadType.SecurityAssociation, offset + pos, "attribute header truncated");
            ushort raw = BinaryPrimitives.ReadUInt16BigEndian(span[pos..]);
            ushort second = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            ushort type = (ushort)(raw & 0x7FFF);
            if ((raw & FormatBit) != 0)
            {
                list[count++] = new TransformAttribute(type, true, second, default);
                pos += 4;
                continue;
            }
            if (type == (ushort)TransformAttributeType.KeyLength)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, PayloadType.SecurityAssociation, offset + pos, "Key Length must use the TV form");
            if (second > span.Length - pos - 4)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidAttribute, PayloadType.SecurityAssociation, offset + pos, "attribute value overruns its transform");
            list[count++] = new TransformAttribute(type, false, 0, body.Slice(pos + 4, second));
            pos += 4 + second;
        }
        if (count < list.Length)
            Array.Resize(ref list, count);
        f = default;
        return true;
    }

    private const uint KeyLengthTv = (FormatBit | (uint)TransformAttributeType.KeyLength) << 16;
    private static readonly TransformAttribute[] KeyLength128 = [Tv(TransformAttributeType.KeyLength, 128)];
    private static readonly TransformAttribute[] KeyLength192 = [Tv(TransformAttributeType.KeyLength, 192)];
    private static readonly TransformAttribute[] KeyLength256 = [Tv(TransformAttributeType.KeyLength, 256)];

    /// <summary>
    /// One shared list for the attribute lists nearly every AES transform carries (Key Length 128, 192 or 256 and
    /// nothing else), so parsing them allocates nothing; the lists are only exposed as read-only, like the shared
    /// empty one.
    /// </summary>
    private static TransformAttribute[]? SharedKeyLength(uint attribute) => attribute switch
    {
        KeyLengthTv | 128 => KeyLength128,
        KeyLengthTv | 192 => KeyLength192,
        KeyLengthTv | 256 => KeyLength256,
        _ => null,
    };
}
