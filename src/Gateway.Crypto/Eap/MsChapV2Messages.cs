using System.Buffers.Binary;
using System.Text;

namespace Gateway.Crypto.Eap;

/// <summary>EAP-MSCHAPv2 OpCodes (draft-kamath-pppext-eap-mschapv2 §2).</summary>
public enum MsChapV2OpCode : byte
{
    Challenge = 1,
    Response = 2,
    Success = 3,
    Failure = 4,
    ChangePassword = 7,
}

/// <summary>An EAP-MSCHAPv2 message (the Type-Data of an EAP packet of type 26).</summary>
public abstract record MsChapV2Message
{
    /// <summary>The OpCode.</summary>
    public abstract MsChapV2OpCode OpCode { get; }
}

/// <summary>Challenge (request): MS-CHAPv2-ID, the 16-byte authenticator challenge and the authenticator's name.</summary>
public sealed record MsChapV2Challenge(byte MsChapV2Id, ReadOnlyMemory<byte> Challenge, string Name) : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Challenge;
}

/// <summary>
/// Response (response): MS-CHAPv2-ID, the 49-byte value (Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1)
/// and the user name.
/// </summary>
public sealed record MsChapV2Response(byte MsChapV2Id, ReadOnlyMemory<byte> PeerChallenge, ReadOnlyMemory<byte> NtResponse,
    byte Flags, string Name) : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Response;

    /// <summary>Describes the response without the NT-Response.</summary>
    public override string ToString() => $"MSCHAPv2 Response id={MsChapV2Id} name={Name}";
}

/// <summary>Success request: MS-CHAPv2-ID and the message "S=&lt;authenticator response&gt; M=&lt;text&gt;".</summary>
public sealed record MsChapV2SuccessRequest(byte MsChapV2Id, string Message) : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Success;
}

/// <summary>Failure request: MS-CHAPv2-ID and the message "E=… R=… C=… V=… M=…".</summary>
public sealed record MsChapV2FailureRequest(byte MsChapV2Id, string Message) : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Failure;
}

/// <summary>The peer's Success response: the OpCode alone.</summary>
public sealed record MsChapV2SuccessResponse : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Success;
}

/// <summary>The peer's Failure response: the OpCode alone.</summary>
public sealed record MsChapV2FailureResponse : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.Failure;
}

/// <summary>
/// Change-Password (response): Encrypted-Password 516, Encrypted-Hash 16, Peer-Challenge 16, Reserved 8,
/// NT-Response 24, Flags 2. Parsed so it can be refused cleanly; this gateway does not change passwords.
/// </summary>
public sealed record MsChapV2ChangePassword(byte MsChapV2Id, ReadOnlyMemory<byte> EncryptedPassword,
    ReadOnlyMemory<byte> EncryptedHash, ReadOnlyMemory<byte> PeerChallenge, ReadOnlyMemory<byte> NtResponse, ushort Flags)
    : MsChapV2Message
{
    /// <inheritdoc />
    public override MsChapV2OpCode OpCode => MsChapV2OpCode.ChangePassword;

    /// <summary>Describes the message without its encrypted fields.</summary>
    public override string ToString() => $"MSCHAPv2 Change-Password id={MsChapV2Id}";
}

/// <summary>
/// Codec of EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02 §2): OpCode, MS-CHAPv2-ID, MS-Length (the length of
/// the MS-CHAPv2 part, i.e. EAP Length − 5), then per OpCode the fields. The EAP Length governs; MS-Length is written
/// correctly and read leniently (some peers have been known to get it wrong).
/// </summary>
public static class MsChapV2Codec
{
    /// <summary>Length of the Response value (Value-Size).</summary>
    public const int ResponseValueSize = 49;

    private const int ChangePasswordBodyLength = 516 + 16 + 16 + 8 + 24 + 2;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Wraps a message in an EAP packet.</summary>
    public static EapPacket Encode(EapCode code, byte eapIdentifier, MsChapV2Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = EncodeBody(message);
        return code switch
        {
            EapCode.Request => EapPacket.Request(eapIdentifier, EapType.MsChapV2, body),
            EapCode.Response => EapPacket.Response(eapIdentifier, EapType.MsChapV2, body),
            _ => throw new ArgumentException("EAP-MSCHAPv2 messages travel in Requests and Responses.", nameof(code)),
        };
    }

    /// <summary>The Type-Data of a message.</summary>
    public static byte[] EncodeBody(MsChapV2Message message)
    {
        switch (message)
        {
            case MsChapV2SuccessResponse:
                return [(byte)MsChapV2OpCode.Success];
            case MsChapV2FailureResponse:
                return [(byte)MsChapV2OpCode.Failure];
            case MsChapV2Challenge c:
            {
                if (c.Challenge.Length != MsChapV2Crypto.ChallengeLength)
                    throw new ArgumentException("Challenge must be 16 bytes.", nameof(message));
                var name = Encoding.UTF8.GetBytes(c.Name);
                var body = Header(c.OpCode, c.MsChapV2Id, 1 + 16 + name.Length);
                body[4] = 16;
                c.Challenge.Span.CopyTo(body.AsSpan(5));
                name.CopyTo(body, 21);
                return body;
            }
            case MsChapV2Response r:
            {
                if (r.PeerChallenge.Length != 16 || r.NtResponse.Length != MsChapV2Crypto.NtResponseLength)
                    throw new ArgumentException("Peer challenge must be 16 bytes and NT-Response 24.", nameof(message));
                var name = Encoding.UTF8.GetBytes(r.Name);
                var body = Header(r.OpCode, r.MsChapV2Id, 1 + ResponseValueSize + name.Length);
                body[4] = ResponseValueSize;
                r.PeerChallenge.Span.CopyTo(body.AsSpan(5));
                // 8 reserved zero bytes at 21..28
                r.NtResponse.Span.CopyTo(body.AsSpan(29));
                body[53] = r.Flags;
                name.CopyTo(body, 54);
                return body;
            }
            case MsChapV2SuccessRequest s:
                return WithMessage(s.OpCode, s.MsChapV2Id, s.Message);
            case MsChapV2FailureRequest f:
                return WithMessage(f.OpCode, f.MsChapV2Id, f.Message);
            case MsChapV2ChangePassword p:
            {
                if (p.EncryptedPassword.Length != 516 || p.EncryptedHash.Length != 16 || p.PeerChallenge.Length != 16
                    || p.NtResponse.Length != 24)
                    throw new ArgumentException("Change-Password field sizes are fixed.", nameof(message));
                var body = Header(p.OpCode, p.MsChapV2Id, ChangePasswordBodyLength);
                var at = 4;
                p.EncryptedPassword.Span.CopyTo(body.AsSpan(at));
                at += 516;
                p.EncryptedHash.Span.CopyTo(body.AsSpan(at));
                at += 16;
                p.PeerChallenge.Span.CopyTo(body.AsSpan(at));
                at += 16 + 8;
                p.NtResponse.Span.CopyTo(body.AsSpan(at));
                at += 24;
                BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(at), p.Flags);
                return body;
            }
            default:
                throw new ArgumentException($"Unknown message {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>
    /// Parses the EAP-MSCHAPv2 message of an EAP packet; which messages are legal depends on the code
    /// (Request: Challenge, Success, Failure; Response: Response, Success, Failure, Change-Password). Never throws.
    /// </summary>
    public static EapParseResult<MsChapV2Message> Parse(EapPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Type != EapType.MsChapV2 || packet.Code is not (EapCode.Request or EapCode.Response))
            return Fail(EapParseError.WrongType);
        var data = packet.TypeData.Span;
        if (data.Length < 1)
            return Fail(EapParseError.Truncated);
        var opCode = (MsChapV2OpCode)data[0];
        var isRequest = packet.Code == EapCode.Request;

        // The peer's Success and Failure responses are the OpCode alone.
        if (!isRequest && opCode is MsChapV2OpCode.Success or MsChapV2OpCode.Failure)
        {
            if (data.Length != 1)
                return Fail(EapParseError.UnexpectedData);
            return EapParseResult<MsChapV2Message>.Ok(opCode == MsChapV2OpCode.Success
                ? new MsChapV2SuccessResponse()
                : new MsChapV2FailureResponse());
        }
        if (data.Length < 4)
            return Fail(EapParseError.Truncated);
        var id = data[1];
        var rest = data[4..];

        switch (opCode)
        {
            case MsChapV2OpCode.Challenge when isRequest:
            {
                if (rest.Length < 1)
                    return Fail(EapParseError.Truncated);
                if (rest[0] != 16)
                    return Fail(EapParseError.BadValueSize);
                if (rest.Length < 17)
                    return Fail(EapParseError.Truncated);
                if (!TryText(rest[17..], out var name))
                    return Fail(EapParseError.InvalidField);
                return EapParseResult<MsChapV2Message>.Ok(new MsChapV2Challenge(id, rest.Slice(1, 16).ToArray(), name));
            }
            case MsChapV2OpCode.Response when !isRequest:
            {
                if (rest.Length < 1)
                    return Fail(EapParseError.Truncated);
                if (rest[0] != ResponseValueSize)
                    return Fail(EapParseError.BadValueSize);
                if (rest.Length < 1 + ResponseValueSize)
                    return Fail(EapParseError.Truncated);
                if (!TryText(rest[(1 + ResponseValueSize)..], out var name))
                    return Fail(EapParseError.InvalidField);
                var value = rest.Slice(1, ResponseValueSize);
                return EapParseResult<MsChapV2Message>.Ok(new MsChapV2Response(id, value[..16].ToArray(),
                    value.Slice(24, 24).ToArray(), value[48], name));
            }
            case MsChapV2OpCode.Success when isRequest:
                return TryText(rest, out var success)
                    ? EapParseResult<MsChapV2Message>.Ok(new MsChapV2SuccessRequest(id, success))
                    : Fail(EapParseError.InvalidField);
            case MsChapV2OpCode.Failure when isRequest:
                return TryText(rest, out var failure)
                    ? EapParseResult<MsChapV2Message>.Ok(new MsChapV2FailureRequest(id, failure))
                    : Fail(EapParseError.InvalidField);
            case MsChapV2OpCode.ChangePassword when !isRequest:
            {
                if (rest.Length != ChangePasswordBodyLength)
                    return Fail(rest.Length < ChangePasswordBodyLength ? EapParseError.Truncated : EapParseError.UnexpectedData);
                return EapParseResult<MsChapV2Message>.Ok(new MsChapV2ChangePassword(id, rest[..516].ToArray(),
                    rest.Slice(516, 16).ToArray(), rest.Slice(532, 16).ToArray(), rest.Slice(556, 24).ToArray(),
                    BinaryPrimitives.ReadUInt16BigEndian(rest[580..])));
            }
            default:
                return Fail(EapParseError.UnknownOpCode);
        }
    }

    private static byte[] Header(MsChapV2OpCode opCode, byte id, int fieldsLength)
    {
        var body = new byte[4 + fieldsLength];
        body[0] = (byte)opCode;
        body[1] = id;
        // MS-Length covers OpCode to the end, i.e. EAP Length - 5.
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), checked((ushort)body.Length));
        return body;
    }

    private static byte[] WithMessage(MsChapV2OpCode opCode, byte id, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var body = Header(opCode, id, text.Length);
        text.CopyTo(body, 4);
        return body;
    }

    private static bool TryText(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static EapParseResult<MsChapV2Message> Fail(EapParseError error) => EapParseResult<MsChapV2Message>.Fail(error);
}
