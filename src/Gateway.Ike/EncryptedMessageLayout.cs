using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>
/// Byte layout of an SK- (or SKF-) protected message, for the crypto layer:
/// <code>
/// [IKE header][unprotected payloads...][SK generic header (4)][SKF: fragment number, total (4)][body: IV ‖ ciphertext ‖ ICV]
///  \________________________ associated data (RFC 5282 §5.1, RFC 7383 §2.5) ________________/
/// </code>
/// To send: <see cref="GetSize"/>, then <see cref="Write"/> (all lengths and chaining are filled, the body is left
/// for the caller), then encrypt into <c>destination[regions.Body]</c>, authenticating
/// <c>destination[regions.AssociatedData]</c> (AEAD) or everything before the ICV (CBC + HMAC).
/// To receive: <see cref="TryLocate"/> on the raw datagram gives the same regions.
/// </summary>
public static class EncryptedMessageLayout
{
    /// <summary>Offsets of the protected parts in a message buffer.</summary>
    public readonly record struct Regions(int BodyOffset, int BodyLength)
    {
        /// <summary>IKE header through the SK (or SKF) payload header.</summary>
        public Range AssociatedData => 0..BodyOffset;

        /// <summary>IV ‖ ciphertext ‖ ICV.</summary>
        public Range Body => BodyOffset..(BodyOffset + BodyLength);

        public int TotalLength => BodyOffset + BodyLength;
    }

    /// <summary>Total size of a message with these unprotected payloads and an encrypted body of the given length.</summary>
    public static int GetSize(IReadOnlyList<Payload> unprotectedPayloads, int encryptedBodyLength, bool fragment = false) =>
        IkeLimits.HeaderLength + PayloadChain.GetSize(unprotectedPayloads) + IkeLimits.GenericPayloadHeaderLength
        + (fragment ? EncryptedFragmentPayload.FragmentHeaderLength : 0) + encryptedBodyLength;

    /// <summary>Writes the header, the unprotected payloads and the SK header; the body bytes are not touched.</summary>
    public static Regions Write(Span<byte> destination, IkeHeader header, IReadOnlyList<Payload> unprotectedPayloads,
        PayloadType firstInnerPayload, int encryptedBodyLength) =>
        WriteCore(destination, header, unprotectedPayloads, new Placeholder(PayloadType.Encrypted, firstInnerPayload, 0, 0, encryptedBodyLength));

    /// <summary>Same for one SKF fragment (first inner payload type only in fragment 1, RFC 7383 §2.5).</summary>
    public static Regions WriteFragment(Span<byte> destination, IkeHeader header, IReadOnlyList<Payload> unprotectedPayloads,
        PayloadType firstInnerPayload, ushort fragmentNumber, ushort totalFragments, int encryptedBodyLength) =>
        WriteCore(destination, header, unprotectedPayloads,
            new Placeholder(PayloadType.EncryptedFragment, fragmentNumber == 1 ? firstInnerPayload : PayloadType.None, fragmentNumber, totalFragments, encryptedBodyLength));

    /// <summary>Finds the SK/SKF body in a received datagram by walking the generic payload headers. No allocation.</summary>
    public static bool TryLocate(ReadOnlySpan<byte> message, out Regions regions)
    {
        regions = default;
        if (!IkeHeader.TryParse(message, out var header, out _))
            return false;
        var type = header.NextPayload;
        int pos = IkeLimits.HeaderLength;
        for (int count = 0; type != PayloadType.None && count < IkeLimits.MaxPayloads; count++)
        {
            if (message.Length - pos < IkeLimits.GenericPayloadHeaderLength)
                return false;
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
            if (length < IkeLimits.GenericPayloadHeaderLength || length > message.Length - pos)
                return false;
            if (type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                int headerLength = IkeLimits.GenericPayloadHeaderLength
                                   + (type == PayloadType.EncryptedFragment ? EncryptedFragmentPayload.FragmentHeaderLength : 0);
                if (length < headerLength || pos + length != message.Length)
                    return false;
                regions = new Regions(pos + headerLength, length - headerLength);
                return true;
            }
            type = (PayloadType)message[pos];
            pos += length;
        }
        return false;
    }

    private static Regions WriteCore(Span<byte> destination, IkeHeader header, IReadOnlyList<Payload> unprotected, Placeholder sk)
    {
        var payloads = new List<Payload>(unprotected.Count + 1);
        payloads.AddRange(unprotected);
        payloads.Add(sk);
        var message = IkeMessage.Create(header, payloads);
        int total = message.WriteTo(destination);
        return new Regions(total - sk.BodyLength, sk.BodyLength);
    }

    /// <summary>An SK/SKF whose body is reserved but not written: the caller encrypts into it in place.</summary>
    private sealed record Placeholder(PayloadType PlaceholderType, PayloadType First, ushort Number, ushort Total, int BodyLength) : Payload
    {
        public override PayloadType Type => PlaceholderType;
        internal override PayloadType TrailingNextPayload => First;

        public override int GetBodySize() =>
            BodyLength + (PlaceholderType == PayloadType.EncryptedFragment ? EncryptedFragmentPayload.FragmentHeaderLength : 0);

        public override int WriteBody(Span<byte> d)
        {
            if (PlaceholderType == PayloadType.EncryptedFragment)
            {
                BinaryPrimitives.WriteUInt16BigEndian(d, Number);
                BinaryPrimitives.WriteUInt16BigEndian(d[2..], Total);
            }
            return GetBodySize();
        }
    }
}
