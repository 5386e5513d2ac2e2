using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>What reading one protected datagram gave: a whole message, a fragment kept for later, or a drop.</summary>
internal readonly record struct Received(OpenedMessage? Message, IkeDropReason? Dropped, ushort FragmentNumber)
{
    public static Received Drop(IkeDropReason reason) => new(null, reason, 0);

    public bool IsPendingFragment => Message is null && Dropped is null;
}

/// <summary>
/// Opens the SK-protected messages of one IKE SA: plain SK, or SKF fragments (only once fragmentation is negotiated)
/// reassembled separately for requests and for responses to our own requests.
/// </summary>
internal sealed class InboundMessages(ResponderOptions options)
{
    // Made at the first fragment: most IKE SAs never see one, and every idle tunnel kept two (96 bytes).
    private FragmentReassembler? _requests;
    private FragmentReassembler? _responses;

    /// <summary>Set when we answered IKEV2_FRAGMENTATION_SUPPORTED; SKF is dropped otherwise.</summary>
    public bool FragmentationNegotiated { get; set; }

    public int BufferedBytes => (_requests?.BufferedBytes ?? 0) + (_responses?.BufferedBytes ?? 0);

    public static bool IsFragment(IkeHeader header) => header.NextPayload == PayloadType.EncryptedFragment;

    /// <summary>Verifies and decrypts; fragments are collected until their message is complete.</summary>
    public Received Read(ReadOnlySpan<byte> datagram, IkeHeader header, ISkProtection inbound)
    {
        if (!IsFragment(header))
        {
            var whole = SkMessages.TryOpen(datagram, inbound, out var why);
            return whole is null ? Received.Drop(why) : new Received(whole, null, 0);
        }
        if (!FragmentationNegotiated)
            return Received.Drop(IkeDropReason.Unexpected);
        var fragment = SkFragments.TryOpen(datagram, inbound, out var reason);
        if (fragment is null)
            return Received.Drop(reason);
        var reassembler = header.IsResponse
            ? _responses ??= new(options.MaxFragments, options.MaxReassembledSize)
            : _requests ??= new(options.MaxFragments, options.MaxReassembledSize);
        var done = reassembler.Add(fragment, out bool rejected);
        if (rejected)
            return Received.Drop(IkeDropReason.Malformed);
        if (done is not { } message)
            return new Received(null, null, fragment.Number);
        // The reassembled plaintext is a fresh array nobody writes to: the payloads may slice it.
        var inner = PayloadChain.ParseWithoutCopy(message.FirstInner, message.Plaintext, header.IsResponse);
        return inner.IsSuccess
            ? new Received(new OpenedMessage(fragment.Header, message.FirstInner, inner.Value!, message.Plaintext), null, fragment.Number)
            : Received.Drop(IkeDropReason.Malformed);
    }

    /// <summary>
    /// Authenticates a retransmitted request without processing it again; for SKF also says which fragment it is
    /// (RFC 7383 §2.6.2: the cached response is resent for fragment 1 only, not once per fragment).
    /// </summary>
    public Received Authenticate(ReadOnlySpan<byte> datagram, IkeHeader header, ISkProtection inbound)
    {
        if (!IsFragment(header))
        {
            var whole = SkMessages.TryOpen(datagram, inbound, out var why);
            return whole is null ? Received.Drop(why) : new Received(whole, null, 0);
        }
        if (!FragmentationNegotiated)
            return Received.Drop(IkeDropReason.Unexpected);
        var fragment = SkFragments.TryOpen(datagram, inbound, out var reason);
        return fragment is null ? Received.Drop(reason) : new Received(null, null, fragment.Number);
    }
}
