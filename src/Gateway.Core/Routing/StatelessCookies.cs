using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Core.Routing;

/// <summary>
/// Stateless IKE_SA_INIT cookies (RFC 7296 §2.6): <c>Cookie = VersionIDofSecret | MAC(secret, Ni | IPi | SPIi)</c>,
/// with HMAC-SHA256 truncated to 16 bytes as the keyed hash (HMAC rather than a bare hash over the concatenation, so
/// the secret cannot be attacked by length extension). The port is left out on purpose: a NAT may change it between
/// the two requests. Nothing is stored per peer; checking a cookie recomputes it. Allocation-free except the answer.
/// </summary>
public sealed class StatelessCookies(CookieSecrets secrets)
{
    public const int MacLength = 16;
    public const int CookieLength = 1 + MacLength;

    // Ni is at most 256 bytes (RFC 7296 §3.9), an address at most 16, the SPI 8.
    private const int MaxInput = 256 + 16 + 8;

    /// <summary>Writes a fresh cookie for this request into <paramref name="cookie"/> (<see cref="CookieLength"/> bytes).</summary>
    public void Create(ReadOnlySpan<byte> ni, IPAddress initiator, ulong initiatorSpi, Span<byte> cookie)
    {
        var generation = secrets.Current();
        cookie[0] = generation.Version;
        Mac(generation.Secret, ni, initiator, initiatorSpi, cookie.Slice(1, MacLength));
    }

    /// <summary>True when <paramref name="cookie"/> is one we made for this Ni, address and SPI with a secret still accepted.</summary>
    public bool IsValid(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> ni, IPAddress initiator, ulong initiatorSpi)
    {
        if (cookie.Length != CookieLength || ni.Length > 256 || secrets.ForVersion(cookie[0]) is not { } secret)
            return false;
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(secret, ni, initiator, initiatorSpi, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cookie[1..]);
    }

    /// <summary>The whole answer: an IKE_SA_INIT response (responder SPI 0) carrying only N(COOKIE).</summary>
    public byte[] Response(ulong initiatorSpi, ReadOnlySpan<byte> ni, IPAddress initiator)
    {
        const int notifyLength = IkeLimits.GenericPayloadHeaderLength + 4 + CookieLength;
        var message = new byte[IkeLimits.HeaderLength + notifyLength];
        var header = IkeHeader.Create(initiatorSpi, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, 0)
            with { NextPayload = PayloadType.Notify, Length = (uint)message.Length };
        header.WriteTo(message);
        var notify = message.AsSpan(IkeLimits.HeaderLength);
        notify[0] = (byte)PayloadType.None;
        BinaryPrimitives.WriteUInt16BigEndian(notify[2..], notifyLength);
        notify[4] = (byte)ProtocolId.None;
        notify[5] = 0; // no SPI
        BinaryPrimitives.WriteUInt16BigEndian(notify[6..], (ushort)NotifyType.Cookie);
        Create(ni, initiator, initiatorSpi, notify[8..]);
        return message;
    }

    private static void Mac(byte[] secret, ReadOnlySpan<byte> ni, IPAddress initiator, ulong initiatorSpi, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[MaxInput];
        ni.CopyTo(input);
        int at = ni.Length;
        if (!initiator.TryWriteBytes(input[at..], out int written))
            throw new ArgumentException("Unsupported address.", nameof(initiator));
        at += written;
        BinaryPrimitives.WriteUInt64BigEndian(input[at..], initiatorSpi);
        at += 8;
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, input[..at], mac);
        mac[..MacLength].CopyTo(destination);
    }
}
