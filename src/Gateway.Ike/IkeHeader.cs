using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>IKE header flags (RFC 7296 §3.1). Other bits are reserved and kept as received.</summary>
[Flags]
public enum IkeHeaderFlags : byte
{
    None = 0,
    Initiator = 0x08,
    Version = 0x10,
    Response = 0x20,
}

/// <summary>The fixed 28-byte IKE header (RFC 7296 §3.1).</summary>
public readonly record struct IkeHeader(
    ulong InitiatorSpi,
    ulong ResponderSpi,
    PayloadType NextPayload,
    byte MajorVersion,
    byte MinorVersion,
    ExchangeType ExchangeType,
    IkeHeaderFlags Flags,
    uint MessageId,
    uint Length)
{
    public const byte IkeV2MajorVersion = 2;

    public bool IsResponse => (Flags & IkeHeaderFlags.Response) != 0;

    public bool IsInitiator => (Flags & IkeHeaderFlags.Initiator) != 0;

    /// <summary>A version 2.0 header; NextPayload and Length are filled in when the message is written.</summary>
    public static IkeHeader Create(ulong initiatorSpi, ulong responderSpi, ExchangeType exchange, IkeHeaderFlags flags, uint messageId) =>
        new(initiatorSpi, responderSpi, PayloadType.None, IkeV2MajorVersion, 0, exchange, flags, messageId, 0);

    /// <summary>
    /// Header-only parse for routing by SPI: checks the datagram holds a header, that the header's length equals the
    /// datagram length and is within bounds, and that the major version is 2. When at least 28 bytes are present
    /// <paramref name="header"/> is filled even on failure, so a responder can still answer INVALID_MAJOR_VERSION.
    /// No allocation.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out IkeHeader header, out IkeParseError error)
    {
        if (datagram.Length < IkeLimits.HeaderLength)
        {
            header = default;
            error = IkeParseError.Truncated;
            return false;
        }

        byte version = datagram[17];
        header = new IkeHeader(
            BinaryPrimitives.ReadUInt64BigEndian(datagram),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]),
            (PayloadType)datagram[16],
            (byte)(version >> 4),
            (byte)(version & 0x0F),
            (ExchangeType)datagram[18],
            (IkeHeaderFlags)datagram[19],
            BinaryPrimitives.ReadUInt32BigEndian(datagram[20..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]));

        error = Validate(header, datagram.Length);
        return error == IkeParseError.None;
    }

    private static IkeParseError Validate(in IkeHeader header, int datagramLength)
    {
        if (header.MajorVersion != IkeV2MajorVersion)
            return IkeParseError.UnsupportedMajorVersion;
        if (header.Length < IkeLimits.HeaderLength)
            return IkeParseError.InvalidLength;
        if (header.Length > IkeLimits.MaxMessageLength)
            return IkeParseError.MessageTooLarge;
        if (header.Length > (uint)datagramLength)
            return IkeParseError.Truncated;
        if (header.Length < (uint)datagramLength)
            return IkeParseError.LengthMismatch;
        return IkeParseError.None;
    }

    /// <summary>Writes the 28 header bytes as they are in this value (no field is recomputed).</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < IkeLimits.HeaderLength)
            throw new ArgumentException("Destination shorter than an IKE header.", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ResponderSpi);
        destination[16] = (byte)NextPayload;
        destination[17] = (byte)((MajorVersion << 4) | (MinorVersion & 0x0F));
        destination[18] = (byte)ExchangeType;
        destination[19] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], Length);
    }
}
