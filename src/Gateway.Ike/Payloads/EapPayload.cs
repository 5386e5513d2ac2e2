using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>EAP payload (RFC 7296 §3.16): one raw EAP message (RFC 3748 §4), whose own length must fill the payload.</summary>
public sealed record EapPayload(ReadOnlyMemory<byte> Message) : Payload
{
    public const byte CodeRequest = 1;
    public const byte CodeResponse = 2;
    public const byte CodeSuccess = 3;
    public const byte CodeFailure = 4;

    public override PayloadType Type => PayloadType.Eap;
    public override int GetBodySize() => Message.Length;
    public override int WriteBody(Span<byte> d) => ParseHelpers.Put(d, Message);

    /// <summary>EAP code (0 when a hand-built message is too short to have one; parsed ones always have 4+ bytes).</summary>
    public byte Code => Message.Length > 0 ? Message.Span[0] : (byte)0;

    public byte Identifier => Message.Length > 1 ? Message.Span[1] : (byte)0;

    /// <summary>The method type of a request/response (0 for success/failure or an empty request).</summary>
    public byte MethodType => Message.Length > 4 && Code is CodeRequest or CodeResponse ? Message.Span[4] : (byte)0;

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, PayloadType.Eap, offset, 4, span.Length);
        int length = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (length != span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidEapMessage, PayloadType.Eap, offset, $"EAP length {length} in a {span.Length}-byte payload");
        payload = new EapPayload(body);
        f = default;
        return true;
    }
}
