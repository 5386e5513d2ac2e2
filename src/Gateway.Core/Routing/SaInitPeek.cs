using System.Buffers.Binary;
using Gateway.Ike;

namespace Gateway.Core.Routing;

/// <summary>
/// What the front door needs from an IKE_SA_INIT request, read by walking only the generic payload headers — no
/// allocation, bounded work (at most <see cref="IkeLimits.MaxPayloads"/> headers): the COOKIE notify when it is the
/// first payload (RFC 7296 §2.6), the nonce Ni (16–256 bytes, §3.9), and whether the peer announced REDIRECT_SUPPORTED
/// or came with REDIRECTED_FROM (RFC 5685). Offsets are into the message the peek was made from.
/// </summary>
public readonly struct SaInitPeek
{
    public Range Cookie { get; private init; }
    public Range Nonce { get; private init; }
    public bool HasCookie { get; private init; }
    public bool HasNonce { get; private init; }
    public bool RedirectSupported { get; private init; }
    public bool RedirectedFrom { get; private init; }

    /// <summary>False when the payload chain does not frame correctly (the message cannot be a valid request).</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, PayloadType first, out SaInitPeek peek)
    {
        peek = default;
        Range cookie = default, nonce = default;
        bool hasCookie = false, hasNonce = false, redirectSupported = false, redirectedFrom = false;
        int at = IkeLimits.HeaderLength;
        var type = first;
        for (int index = 0; type != PayloadType.None; index++)
        {
            if (index >= IkeLimits.MaxPayloads || at + IkeLimits.GenericPayloadHeaderLength > message.Length)
                return false;
            var next = (PayloadType)message[at];
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]);
            if (length < IkeLimits.GenericPayloadHeaderLength || at + length > message.Length)
                return false;
            int bodyStart = at + IkeLimits.GenericPayloadHeaderLength;
            var body = message[bodyStart..(at + length)];
            if (type == PayloadType.Notify && body.Length >= 4 && 4 + body[1] <= body.Length)
            {
                var notify = (NotifyType)BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
                int dataStart = bodyStart + 4 + body[1];
                if (notify == NotifyType.Cookie && index == 0)
                {
                    hasCookie = true;
                    cookie = dataStart..(at + length);
                }
                redirectSupported |= notify == NotifyType.RedirectSupported;
                redirectedFrom |= notify == NotifyType.RedirectedFrom;
            }
            else if (type == PayloadType.Nonce && body.Length is >= NoncePayload.MinLength and <= 256 && !hasNonce)
            {
                hasNonce = true;
                nonce = bodyStart..(at + length);
            }
            at += length;
            type = next;
        }
        if (at != message.Length)
            return false;
        peek = new SaInitPeek
        {
            Cookie = cookie, Nonce = nonce, HasCookie = hasCookie, HasNonce = hasNonce,
            RedirectSupported = redirectSupported, RedirectedFrom = redirectedFrom,
        };
        return true;
    }
}
