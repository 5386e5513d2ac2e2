using System.Text;

namespace Gateway.Crypto.Eap;

/// <summary>EAP-Identity (RFC 3748 §5.1).</summary>
public static class EapIdentity
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>An Identity Request; the optional displayable message goes into the type data.</summary>
    public static EapPacket Request(byte identifier, string? displayableMessage = null) =>
        EapPacket.Request(identifier, EapType.Identity, displayableMessage is null ? [] : StrictUtf8.GetBytes(displayableMessage));

    /// <summary>An Identity Response carrying the identity in UTF-8.</summary>
    public static EapPacket Response(byte identifier, string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return EapPacket.Response(identifier, EapType.Identity, StrictUtf8.GetBytes(identity));
    }

    /// <summary>
    /// Reads the identity of an Identity Response. A NUL and what follows it are dropped (RFC 3748 §5.1 allows
    /// options after a NUL in requests; some peers send one). Never throws.
    /// </summary>
    public static EapParseResult<string> ParseResponse(EapPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Code != EapCode.Response || packet.Type != EapType.Identity)
            return EapParseResult<string>.Fail(EapParseError.WrongType);
        var data = packet.TypeData.Span;
        var nul = data.IndexOf((byte)0);
        if (nul >= 0)
            data = data[..nul];
        try
        {
            return EapParseResult<string>.Ok(StrictUtf8.GetString(data));
        }
        catch (DecoderFallbackException)
        {
            return EapParseResult<string>.Fail(EapParseError.InvalidField);
        }
    }
}

/// <summary>EAP Legacy Nak (RFC 3748 §5.3.1): a Response listing the types the peer would accept.</summary>
public static class EapNak
{
    /// <summary>A Nak Response; an empty list (sent as a single 0) means no alternative.</summary>
    public static EapPacket Response(byte identifier, params EapType[] desiredTypes)
    {
        ArgumentNullException.ThrowIfNull(desiredTypes);
        var data = desiredTypes.Length == 0 ? new byte[] { 0 } : desiredTypes.Select(t => (byte)t).ToArray();
        return EapPacket.Response(identifier, EapType.Nak, data);
    }

    /// <summary>Reads the desired types of a Nak (0 meaning none is dropped). Never throws.</summary>
    public static EapParseResult<IReadOnlyList<EapType>> Parse(EapPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Code != EapCode.Response || packet.Type != EapType.Nak)
            return EapParseResult<IReadOnlyList<EapType>>.Fail(EapParseError.WrongType);
        if (packet.TypeData.IsEmpty)
            return EapParseResult<IReadOnlyList<EapType>>.Fail(EapParseError.BadLength);
        var types = new List<EapType>(packet.TypeData.Length);
        foreach (var b in packet.TypeData.Span)
        {
            if (b != 0)
                types.Add((EapType)b);
        }
        return EapParseResult<IReadOnlyList<EapType>>.Ok(types);
    }
}
