using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>A proposal substructure (RFC 7296 §3.3.1). The SPI is empty for an initial IKE SA, 8 bytes for an IKE
/// rekey and 4 bytes for ESP/AH.</summary>
public sealed record Proposal(byte Number, ProtocolId Protocol, ReadOnlyMemory<byte> Spi, IReadOnlyList<Transform> Transforms)
{
    internal const int HeaderLength = 8;

    /// <summary>The SPI as a 32-bit value for ESP/AH proposals.</summary>
    public uint? Spi32 => Spi.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(Spi.Span) : null;

    /// <summary>Transforms of one type, in proposal order.</summary>
    public IEnumerable<Transform> OfType(TransformType type)
    {
        foreach (var t in Transforms)
        {
            if (t.Type == type)
                yield return t;
        }
    }

    public int GetSize()
    {
        var transforms = new ListView<Transform>(Transforms);
        int size = HeaderLength + Spi.Length;
        for (int i = 0; i < transforms.Count; i++)
            size += transforms[i].GetSize();
        return size;
    }

    internal int WriteTo(Span<byte> d, bool last)
    {
        d[0] = last ? (byte)0 : (byte)2;
        d[1] = 0;
        d[4] = Number;
        d[5] = (byte)Protocol;
        d[6] = (byte)Spi.Length;
        var transforms = new ListView<Transform>(Transforms);
        d[7] = (byte)transforms.Count;
        int pos = HeaderLength + ParseHelpers.Put(d[HeaderLength..], Spi);
        for (int i = 0; i < transforms.Count; i++)
            pos += transforms[i].WriteTo(d[pos..], i == transforms.Count - 1);
        // Length written last, from what was written: calling GetSize() here would walk the transforms again.
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)pos);
        return pos;
    }

    /// <summary>Parses one proposal occupying all of <paramref name="data"/> (its length already checked).</summary>
    internal static bool TryParse(ReadOnlyMemory<byte> data, int offset, out Proposal? proposal, out IkeParseFailure f)
    {
        const PayloadType sa = PayloadType.SecurityAssociation;
        proposal = null;
        var span = data.Span;
        byte number = span[4];
        var protocol = (ProtocolId)span[5];
        int spiSize = span[6];
        int count = span[7];
        if (protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah))
            return ParseHelpers.Fail(out f, IkeParseError.InvalidProtocolId, sa, offset + 5, $"protocol {(byte)protocol} in proposal");
        bool spiOk = protocol == ProtocolId.Ike ? spiSize is 0 or 8 : spiSize == 4;
        if (!spiOk)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidSpiSize, sa, offset + 6, $"SPI size {spiSize} for {protocol}");
        if (HeaderLength + spiSize > span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidLength, sa, offset, "SPI overruns proposal");

        int pos = HeaderLength + spiSize;
        // An exact-size array instead of a List. The announced count (up to 255) is capped by what the bytes can
        // hold (8 per transform at least), so a hostile count cannot make us allocate more than the input justifies;
        // when the count is higher than that, the loop below fails on the truncated transform before the cap matters.
        var transforms = new Transform[Math.Min(count, (span.Length - pos) / Transform.HeaderLength)];
        for (int i = 0; i < count; i++)
        {
            if (span.Length - pos < Transform.HeaderLength)
                return ParseHelpers.Fail(out f, IkeParseError.TransformCountMismatch, sa, offset + pos, $"{count} transforms announced, {i} present");
            byte lastFlag = span[pos];
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length < Transform.HeaderLength || length > span.Length - pos)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidLength, sa, offset + pos, $"transform length {length}");
            bool isLast = i == count - 1;
            if (lastFlag != (isLast ? 0 : 3))
                return ParseHelpers.Fail(out f, IkeParseError.TransformCountMismatch, sa, offset + pos, $"transform {i + 1} of {count} has last flag {lastFlag}");
            if (!TransformAttribute.TryParseList(data.Slice(pos + Transform.HeaderLength, length - Transform.HeaderLength),
                    offset + pos + Transform.HeaderLength, out var attributes, out f))
                return false;
            transforms[i] = new Transform((TransformType)span[pos + 4], BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 6)..]), attributes);
            pos += length;
        }
        if (pos != span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.TransformCountMismatch, sa, offset + pos, $"bytes remain after {count} transforms");

        proposal = new Proposal(number, protocol, data.Slice(HeaderLength, spiSize), transforms);
        f = default;
        return true;
    }

    public override string ToString() => $"#{Number} {Protocol} [{string.Join(", ", Transforms)}]";
}
