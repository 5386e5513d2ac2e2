using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>A decrypted SK message: header, inner payloads and the raw plaintext chain (for exact ID bodies).</summary>
internal sealed record OpenedMessage(IkeHeader Header, PayloadType FirstInner, IReadOnlyList<Payload> Payloads, byte[] Plaintext)
{
    public T? Find<T>() where T : Payload
    {
        foreach (var p in Payloads)
        {
            if (p is T t)
                return t;
        }
        return null;
    }

    public IEnumerable<T> All<T>() where T : Payload => Payloads.OfType<T>();

    public NotifyPayload? FindNotify(NotifyType type)
    {
        foreach (var p in Payloads)
        {
            if (p is NotifyPayload n && n.NotifyType == type)
                return n;
        }
        return null;
    }
}

/// <summary>Opens and builds SK-protected messages (RFC 7296 §3.14) with the codec's byte layout.</summary>
internal static class SkMessages
{
    /// <summary>
    /// Verifies and decrypts an SK message. Returns null with <paramref name="reason"/> when it must be dropped:
    /// malformed framing, an SKF (we announce no fragmentation), a failed integrity check, or an inner chain that
    /// does not parse.
    /// </summary>
    public static OpenedMessage? TryOpen(ReadOnlySpan<byte> datagram, ISkProtection inbound, out IkeDropReason reason)
    {
        reason = IkeDropReason.Malformed;
        var parsed = IkeMessage.Parse(datagram);
        if (!parsed.IsSuccess)
            return null;
        var message = parsed.Value!;
        if (message.Payloads.Count == 0 || message.Payloads[^1] is not EncryptedPayload sk)
        {
            reason = message.IsEncrypted ? IkeDropReason.Unexpected : IkeDropReason.Malformed;
            return null;
        }
        var chain = TryDecryptBody(datagram, inbound, ref reason);
        if (chain is null)
            return null;
        // The decrypted chain is a fresh array nobody writes to (it is kept as OpenedMessage.Plaintext): the payloads may slice it.
        var inner = PayloadChain.ParseWithoutCopy(sk.FirstInnerPayload, chain, message.Header.IsResponse);
        if (!inner.IsSuccess)
            return null;
        return new OpenedMessage(message.Header, sk.FirstInnerPayload, inner.Value!, chain);
    }

    /// <summary>
    /// Verifies and decrypts the body of an SK or SKF payload (the last payload of <paramref name="datagram"/>); the
    /// content without padding, or null: <paramref name="reason"/> stays as given when the layout is broken and becomes
    /// IntegrityFailure when the ICV does not verify.
    /// </summary>
    internal static byte[]? TryDecryptBody(ReadOnlySpan<byte> datagram, ISkProtection inbound, ref IkeDropReason reason)
    {
        if (!EncryptedMessageLayout.TryLocate(datagram, out var regions))
            return null;
        var body = datagram[regions.Body];
        var plaintext = new byte[inbound.MaxPlaintextLength(body.Length)];
        bool opened;
        int length;
        try
        {
            opened = inbound.TryOpen(datagram[regions.AssociatedData], body, plaintext, out length);
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            opened = false;
            length = 0;
        }
        if (!opened)
        {
            reason = IkeDropReason.IntegrityFailure;
            return null;
        }
        return plaintext.AsSpan(0, length).ToArray();
    }

    /// <summary>Builds header ‖ SK{payloads} with the given protection; lengths and chaining are computed.</summary>
    public static byte[] Seal(IkeHeader header, IReadOnlyList<Payload> payloads, ISkProtection outbound)
    {
        var plaintext = new byte[PayloadChain.GetSize(payloads)];
        PayloadChain.Write(plaintext, payloads);
        int bodyLength = outbound.SealedLength(plaintext.Length);
        var message = new byte[EncryptedMessageLayout.GetSize([], bodyLength)];
        var first = payloads.Count > 0 ? payloads[0].Type : PayloadType.None;
        var regions = EncryptedMessageLayout.Write(message, header, [], first, bodyLength);
        outbound.Seal(message.AsSpan(regions.AssociatedData), plaintext, message.AsSpan(regions.Body));
        return message;
    }
}
