using System.Net;
using System.Net.Sockets;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>One verified and decrypted SKF fragment (RFC 7383 §2.5): its numbering and its share of the inner payloads' bytes.</summary>
internal sealed record OpenedFragment(IkeHeader Header, PayloadType FirstInner, ushort Number, ushort Total, byte[] Plaintext);

/// <summary>
/// IKE fragmentation (RFC 7383): negotiation, splitting a message's inner payloads into separately sealed SKF
/// fragments, and opening one fragment. Each fragment carries its own IV and ICV, so every fragment is authenticated
/// on its own before anything is kept (§2.6: forged fragments cost a MAC check, never memory).
/// </summary>
internal static class SkFragments
{
    private const int UdpHeaderLength = 8;
    private const int NonEspMarkerLength = 4;

    /// <summary>True when we answer IKEV2_FRAGMENTATION_SUPPORTED: the peer announced it and it is enabled (never for Windows 7, which does not announce it).</summary>
    public static bool Negotiated(IkeMessage saInitRequest, ResponderOptions options) =>
        options.Fragmentation && saInitRequest.FindNotify(NotifyType.Ikev2FragmentationSupported) is not null;

    /// <summary>Largest IKE message that fits <paramref name="fragmentSize"/> bytes of IP datagram on this path.</summary>
    public static int MaxMessageSize(int fragmentSize, IPEndPoint local, IPEndPoint remote)
    {
        var address = remote.Address;
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6;
        return fragmentSize - (v6 ? 40 : 20) - UdpHeaderLength - (local.Port == IkePorts.NatTraversal ? NonEspMarkerLength : 0);
    }

    /// <summary>
    /// Seals the payloads as one SK message, or — when <paramref name="maxMessageSize"/> is given and the SK message
    /// would exceed it — as SKF fragments of at most that size (the first inner payload type only in fragment 1).
    /// </summary>
    public static IReadOnlyList<byte[]> Seal(IkeHeader header, IReadOnlyList<Payload> payloads, ISkProtection outbound, int? maxMessageSize)
    {
        var plaintext = new byte[PayloadChain.GetSize(payloads)];
        PayloadChain.Write(plaintext, payloads);
        var first = payloads.Count > 0 ? payloads[0].Type : PayloadType.None;
        int wholeSize = EncryptedMessageLayout.GetSize([], outbound.SealedLength(plaintext.Length));
        if (maxMessageSize is not { } max || wholeSize <= max)
            return [SealWhole(header, first, plaintext, outbound)];

        int perFragment = ContentPerFragment(max, outbound);
        int total = (plaintext.Length + perFragment - 1) / perFragment;
        if (total > ushort.MaxValue)
            throw new InvalidOperationException("message too large to fragment");
        var fragments = new byte[total][];
        for (int i = 0; i < total; i++)
        {
            var chunk = plaintext.AsSpan(i * perFragment, Math.Min(perFragment, plaintext.Length - i * perFragment));
            int bodyLength = outbound.SealedLength(chunk.Length);
            var message = new byte[EncryptedMessageLayout.GetSize([], bodyLength, fragment: true)];
            var regions = EncryptedMessageLayout.WriteFragment(message, header, [], first, (ushort)(i + 1), (ushort)total, bodyLength);
            outbound.Seal(message.AsSpan(regions.AssociatedData), chunk, message.AsSpan(regions.Body));
            fragments[i] = message;
        }
        return fragments;
    }

    /// <summary>Verifies and decrypts one SKF message; null (with the reason) when it must be dropped.</summary>
    public static OpenedFragment? TryOpen(ReadOnlySpan<byte> datagram, ISkProtection inbound, out IkeDropReason reason)
    {
        reason = IkeDropReason.Malformed;
        var parsed = IkeMessage.Parse(datagram);
        if (!parsed.IsSuccess || parsed.Value!.Payloads.Count == 0 || parsed.Value.Payloads[^1] is not EncryptedFragmentPayload skf)
            return null;
        var content = SkMessages.TryDecryptBody(datagram, inbound, ref reason);
        if (content is null)
            return null;
        return new OpenedFragment(parsed.Value.Header, skf.FirstInnerPayload, skf.FragmentNumber, skf.TotalFragments, content);
    }

    private static byte[] SealWhole(IkeHeader header, PayloadType first, byte[] plaintext, ISkProtection outbound)
    {
        int bodyLength = outbound.SealedLength(plaintext.Length);
        var message = new byte[EncryptedMessageLayout.GetSize([], bodyLength)];
        var regions = EncryptedMessageLayout.Write(message, header, [], first, bodyLength);
        outbound.Seal(message.AsSpan(regions.AssociatedData), plaintext, message.AsSpan(regions.Body));
        return message;
    }

    /// <summary>The most inner-payload bytes one fragment of at most <paramref name="maxMessageSize"/> bytes can carry.</summary>
    private static int ContentPerFragment(int maxMessageSize, ISkProtection outbound)
    {
        int bodyRoom = maxMessageSize - EncryptedMessageLayout.GetSize([], 0, fragment: true);
        int content = bodyRoom - outbound.IvSize - outbound.IcvSize;
        while (content > 0 && outbound.SealedLength(content) > bodyRoom)
            content--;
        if (content <= 0)
            throw new InvalidOperationException($"fragment size leaves no room for content ({maxMessageSize} bytes of IKE message)");
        return content;
    }
}
