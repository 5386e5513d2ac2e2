using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>KE payload (RFC 7296 §3.4): group number and public value.</summary>
public sealed record KeyExchangePayload(KeyExchangeGroup Group, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.KeyExchange;
    public override int GetBodySize() => 4 + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)Group);
        d[2] = 0;
        d[3] = 0;
        return 4 + ParseHelpers.Put(d[4..], Data);
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        if (body.Length < 4)
            return ParseHelpers.TooShort(out f, PayloadType.KeyExchange, offset, 4, body.Length);
        payload = new KeyExchangePayload((KeyExchangeGroup)BinaryPrimitives.ReadUInt16BigEndian(body.Span), body[4..]);
        f = default;
        return true;
    }
}

/// <summary>IDi / IDr payload (RFC 7296 §3.5).</summary>
/// <remarks>The three reserved bytes are written as zero; AUTH (§2.15) signs the body, which equals the received
/// body for every conforming peer (reserved bytes MUST be zero on send).</remarks>
public sealed record IdentificationPayload(bool IsInitiator, IdType IdType, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => IsInitiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder;
    public override int GetBodySize() => 4 + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)IdType;
        d[1] = d[2] = d[3] = 0;
        return 4 + ParseHelpers.Put(d[4..], Data);
    }

    internal static bool TryParse(bool initiator, ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        var type = initiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder;
        if (body.Length < 4)
            return ParseHelpers.TooShort(out f, type, offset, 4, body.Length);
        payload = new IdentificationPayload(initiator, (IdType)body.Span[0], body[4..]);
        f = default;
        return true;
    }
}

/// <summary>CERT payload (RFC 7296 §3.6).</summary>
public sealed record CertificatePayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Certificate;
    public override int GetBodySize() => 1 + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)Encoding;
        return 1 + ParseHelpers.Put(d[1..], Data);
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        if (body.Length < 1)
            return ParseHelpers.TooShort(out f, PayloadType.Certificate, offset, 1, 0);
        payload = new CertificatePayload((CertificateEncoding)body.Span[0], body[1..]);
        f = default;
        return true;
    }
}

/// <summary>CERTREQ payload (RFC 7296 §3.7). For X.509 the data is a list of 20-byte SHA-1 hashes of CA public keys.</summary>
public sealed record CertificateRequestPayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> Data) : Payload
{
    public const int AuthorityHashLength = 20;

    public override PayloadType Type => PayloadType.CertificateRequest;
    public override int GetBodySize() => 1 + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)Encoding;
        return 1 + ParseHelpers.Put(d[1..], Data);
    }

    /// <summary>The certification authority key hashes; empty when the data is not a multiple of 20 bytes.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> GetAuthorityHashes()
    {
        if (Data.Length % AuthorityHashLength != 0)
            return [];
        var list = new ReadOnlyMemory<byte>[Data.Length / AuthorityHashLength];
        for (int i = 0; i < list.Length; i++)
            list[i] = Data.Slice(i * AuthorityHashLength, AuthorityHashLength);
        return list;
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        if (body.Length < 1)
            return ParseHelpers.TooShort(out f, PayloadType.CertificateRequest, offset, 1, 0);
        payload = new CertificateRequestPayload((CertificateEncoding)body.Span[0], body[1..]);
        f = default;
        return true;
    }
}

/// <summary>AUTH payload (RFC 7296 §3.8).</summary>
public sealed record AuthenticationPayload(AuthMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Authentication;
    public override int GetBodySize() => 4 + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)Method;
        d[1] = d[2] = d[3] = 0;
        return 4 + ParseHelpers.Put(d[4..], Data);
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        if (body.Length < 4)
            return ParseHelpers.TooShort(out f, PayloadType.Authentication, offset, 4, body.Length);
        payload = new AuthenticationPayload((AuthMethod)body.Span[0], body[4..]);
        f = default;
        return true;
    }
}

/// <summary>Ni / Nr payload (RFC 7296 §3.9): 16 to 256 bytes.</summary>
public sealed record NoncePayload(ReadOnlyMemory<byte> Data) : Payload
{
    public const int MinLength = 16;
    public const int MaxLength = 256;

    public override PayloadType Type => PayloadType.Nonce;
    public override int GetBodySize() => Data.Length;
    public override int WriteBody(Span<byte> d) => ParseHelpers.Put(d, Data);

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        if (body.Length is < MinLength or > MaxLength)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidNonceLength, PayloadType.Nonce, offset, $"nonce of {body.Length} bytes");
        payload = new NoncePayload(body);
        f = default;
        return true;
    }
}

/// <summary>V payload (RFC 7296 §3.12).</summary>
public sealed record VendorIdPayload(ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.VendorId;
    public override int GetBodySize() => Data.Length;
    public override int WriteBody(Span<byte> d) => ParseHelpers.Put(d, Data);
}

/// <summary>A payload of a type this library does not model, kept raw (non-critical only) so a round trip holds.</summary>
public sealed record UnknownPayload(PayloadType RawType, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => RawType;
    public override int GetBodySize() => Body.Length;
    public override int WriteBody(Span<byte> d) => ParseHelpers.Put(d, Body);
}
