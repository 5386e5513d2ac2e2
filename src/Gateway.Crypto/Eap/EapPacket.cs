using System.Buffers.Binary;

namespace Gateway.Crypto.Eap;

/// <summary>EAP codes (RFC 3748 §4).</summary>
public enum EapCode : byte
{
    Request = 1,
    Response = 2,
    Success = 3,
    Failure = 4,
}

/// <summary>EAP method types (RFC 3748 §5 and the IANA registry, the ones an IKEv2 gateway meets).</summary>
public enum EapType : byte
{
    Identity = 1,
    Notification = 2,
    Nak = 3,
    Md5Challenge = 4,
    Otp = 5,
    GenericTokenCard = 6,
    Tls = 13,
    Sim = 18,
    Ttls = 21,
    Aka = 23,
    Peap = 25,
    MsChapV2 = 26,
    AkaPrime = 50,
    Expanded = 254,
    Experimental = 255,
}

/// <summary>Why EAP or EAP method data could not be parsed.</summary>
public enum EapParseError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>Fewer bytes than the fixed header needs.</summary>
    Truncated,

    /// <summary>The Length field is smaller than the header or larger than the data received.</summary>
    BadLength,

    /// <summary>The Code is not 1–4.</summary>
    UnknownCode,

    /// <summary>A Success or Failure packet carries data (its Length must be 4).</summary>
    UnexpectedData,

    /// <summary>The packet is not of the EAP type (or code) expected.</summary>
    WrongType,

    /// <summary>The EAP-MSCHAPv2 OpCode is not one defined for this direction.</summary>
    UnknownOpCode,

    /// <summary>An EAP-MSCHAPv2 Value-Size or fixed-size field does not have its defined size.</summary>
    BadValueSize,

    /// <summary>A text field is not valid UTF-8, or a field is otherwise invalid.</summary>
    InvalidField,
}

/// <summary>A parse outcome: a value or one typed error, never an exception.</summary>
public readonly record struct EapParseResult<T>(T? Value, EapParseError Error)
{
    /// <summary>True when parsing succeeded.</summary>
    public bool IsSuccess => Error == EapParseError.None;

    internal static EapParseResult<T> Ok(T value) => new(value, EapParseError.None);

    internal static EapParseResult<T> Fail(EapParseError error) => new(default, error);
}

/// <summary>
/// An EAP packet (RFC 3748 §4): Code, Identifier, Length and, for Request and Response, Type and Type-Data.
/// Immutable; <see cref="TypeData"/> is a copy owned by the packet.
/// </summary>
public sealed record EapPacket
{
    /// <summary>The smallest packet: Code, Identifier, Length.</summary>
    public const int HeaderLength = 4;

    private readonly byte[] _typeData;

    private EapPacket(EapCode code, byte identifier, EapType? type, byte[] typeData)
    {
        Code = code;
        Identifier = identifier;
        Type = type;
        _typeData = typeData;
    }

    /// <summary>Code.</summary>
    public EapCode Code { get; }

    /// <summary>Identifier.</summary>
    public byte Identifier { get; }

    /// <summary>Type for Request and Response; null for Success and Failure.</summary>
    public EapType? Type { get; }

    /// <summary>The octets after the Type.</summary>
    public ReadOnlyMemory<byte> TypeData => _typeData;

    /// <summary>Encoded length.</summary>
    public int Length => Type is null ? HeaderLength : HeaderLength + 1 + _typeData.Length;

    /// <summary>A Request.</summary>
    public static EapPacket Request(byte identifier, EapType type, ReadOnlySpan<byte> typeData) =>
        Create(EapCode.Request, identifier, type, typeData);

    /// <summary>A Response.</summary>
    public static EapPacket Response(byte identifier, EapType type, ReadOnlySpan<byte> typeData) =>
        Create(EapCode.Response, identifier, type, typeData);

    /// <summary>A Success (identifier = that of the Response it answers).</summary>
    public static EapPacket Success(byte identifier) => new(EapCode.Success, identifier, null, []);

    /// <summary>A Failure (identifier = that of the Response it answers).</summary>
    public static EapPacket Failure(byte identifier) => new(EapCode.Failure, identifier, null, []);

    private static EapPacket Create(EapCode code, byte identifier, EapType type, ReadOnlySpan<byte> typeData)
    {
        if (typeData.Length > ushort.MaxValue - HeaderLength - 1)
            throw new ArgumentException("EAP type data too long.", nameof(typeData));
        return new EapPacket(code, identifier, type, typeData.ToArray());
    }

    /// <summary>
    /// Parses an EAP packet. Octets beyond Length are ignored as data-link padding (RFC 3748 §4.1).
    /// Never throws.
    /// </summary>
    public static EapParseResult<EapPacket> Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength)
            return EapParseResult<EapPacket>.Fail(EapParseError.Truncated);
        var code = (EapCode)data[0];
        if (code is < EapCode.Request or > EapCode.Failure)
            return EapParseResult<EapPacket>.Fail(EapParseError.UnknownCode);
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (length < HeaderLength || length > data.Length)
            return EapParseResult<EapPacket>.Fail(EapParseError.BadLength);
        var identifier = data[1];
        if (code is EapCode.Success or EapCode.Failure)
        {
            return length == HeaderLength
                ? EapParseResult<EapPacket>.Ok(new EapPacket(code, identifier, null, []))
                : EapParseResult<EapPacket>.Fail(EapParseError.UnexpectedData);
        }
        if (length < HeaderLength + 1)
            return EapParseResult<EapPacket>.Fail(EapParseError.BadLength);
        var type = (EapType)data[4];
        return EapParseResult<EapPacket>.Ok(new EapPacket(code, identifier, type, data[5..length].ToArray()));
    }

    /// <summary>Encodes the packet.</summary>
    public byte[] Encode()
    {
        var result = new byte[Length];
        result[0] = (byte)Code;
        result[1] = Identifier;
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(2), (ushort)result.Length);
        if (Type is { } type)
        {
            result[4] = (byte)type;
            _typeData.CopyTo(result, 5);
        }
        return result;
    }

    /// <summary>Equality by content.</summary>
    public bool Equals(EapPacket? other) => other is not null && Code == other.Code && Identifier == other.Identifier
        && Type == other.Type && _typeData.AsSpan().SequenceEqual(other._typeData);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Code, Identifier, Type, _typeData.Length);

    /// <summary>Describes the packet without its data (which may hold credentials).</summary>
    public override string ToString() => Type is null
        ? $"EAP {Code} id={Identifier}"
        : $"EAP {Code} id={Identifier} type={Type} ({_typeData.Length} bytes)";
}
