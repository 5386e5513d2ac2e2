using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>
/// Parses and writes a chain of payloads linked by Next Payload fields: the body of a message after its header, or
/// the decrypted plaintext of an SK payload (whose first type comes from the SK's Next Payload field).
/// </summary>
public static class PayloadChain
{
    /// <summary>
    /// Parses the decrypted inner payloads of SK (padding already removed). SK/SKF inside are rejected. The input is
    /// copied, so the caller may reuse its buffer.
    /// </summary>
    /// <param name="first">The SK payload's Next Payload field.</param>
    /// <param name="data">The plaintext chain.</param>
    /// <param name="isResponse">From the IKE header: a response's SA echoes the accepted proposal's number.</param>
    public static IkeParseResult<IReadOnlyList<Payload>> Parse(PayloadType first, ReadOnlySpan<byte> data, bool isResponse = false) =>
        data.Length > IkeLimits.MaxMessageLength
            ? TooLarge(data.Length)
            : ParseWithoutCopy(first, data.ToArray(), isResponse);

    /// <summary>
    /// As <see cref="Parse"/>, without the copy: payload bodies are slices of <paramref name="data"/>, so the caller
    /// hands the buffer over and must not change or reuse it while the payloads are in use (e.g. a plaintext array
    /// the decryption just allocated).
    /// </summary>
    public static IkeParseResult<IReadOnlyList<Payload>> ParseWithoutCopy(PayloadType first, ReadOnlyMemory<byte> data, bool isResponse = false)
    {
        if (data.Length > IkeLimits.MaxMessageLength)
            return TooLarge(data.Length);
        return TryParse(first, data, 0, inner: true, isResponse, out var payloads, out var f)
            ? IkeParseResult<IReadOnlyList<Payload>>.Ok(payloads)
            : IkeParseResult<IReadOnlyList<Payload>>.Fail(f);
    }

    private static IkeParseResult<IReadOnlyList<Payload>> TooLarge(int length) =>
        IkeParseResult<IReadOnlyList<Payload>>.Fail(new(IkeParseError.MessageTooLarge, PayloadType.None, 0, $"{length} bytes"));

    /// <summary>Size of the chain in bytes (generic headers included).</summary>
    public static int GetSize(IReadOnlyList<Payload> payloads)
    {
        // ListView and index loops, not foreach, throughout the writers: see ListView for why.
        var list = new ListView<Payload>(payloads);
        int size = 0;
        for (int i = 0; i < list.Count; i++)
            size += list[i].GetSize();
        return size;
    }

    /// <summary>
    /// Writes the chain, computing every Next Payload and Payload Length field. Returns the bytes written. Each
    /// payload is written once and its length field filled in afterwards from what it wrote, so nothing is measured
    /// in advance. Throws for chains no peer could parse (SK/SKF not last, a payload over 65535 bytes): those are
    /// bugs; and when <paramref name="destination"/> is too short (size it with <see cref="GetSize"/>), in which
    /// case its contents are undefined.
    /// </summary>
    public static int Write(Span<byte> destination, IReadOnlyList<Payload> payloads)
    {
        var list = new ListView<Payload>(payloads);
        int count = list.Count;
        int pos = 0;
        // Each payload's type is read once: as the previous payload's Next Payload, then for its own SK check.
        var type = count > 0 ? list[0].Type : PayloadType.None;
        for (int i = 0; i < count; i++)
        {
            var p = list[i];
            bool last = i == count - 1;
            if (!last && type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
                throw new ArgumentException("SK/SKF must be the last payload.", nameof(payloads));
            var next = last ? p.TrailingNextPayload : list[i + 1].Type;
            var d = destination[pos..];
            d[0] = (byte)next;
            d[1] = p.Critical ? (byte)0x80 : (byte)0;
            int size = IkeLimits.GenericPayloadHeaderLength + p.WriteBody(d[IkeLimits.GenericPayloadHeaderLength..]);
            if (size > d.Length)
                throw new ArgumentException("Destination too short for the payload chain.", nameof(destination));
            if (size > ushort.MaxValue)
                throw new ArgumentException($"{type} payload of {size} bytes exceeds the 16-bit length.", nameof(payloads));
            BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)size);
            pos += size;
            type = next;
        }
        return pos;
    }

    /// <summary>Whether this library models the type (anything else is kept as <see cref="UnknownPayload"/>).</summary>
    public static bool IsKnown(PayloadType type) =>
        type is >= PayloadType.SecurityAssociation and <= PayloadType.Eap or PayloadType.EncryptedFragment;

    /// <summary>
    /// Parses a whole chain occupying <paramref name="data"/>. <paramref name="baseOffset"/> is added to every
    /// reported offset (28 for a message body). Bodies are slices of <paramref name="data"/>, not copies.
    /// </summary>
    internal static bool TryParse(PayloadType first, ReadOnlyMemory<byte> data, int baseOffset, bool inner, bool isResponse,
        out Payload[] payloads, out IkeParseFailure f)
    {
        var span = data.Span;
        // An exact-size array (the count comes from the generic headers alone), filled through a span: the span
        // checks the array's type once when created, where each store into a Payload[] (or a List's) would check it.
        var list = new Payload[CountPayloads(first, span)];
        var slots = list.AsSpan();
        payloads = list;
        int count = 0;
        var type = first;
        int pos = 0;
        while (type != PayloadType.None)
        {
            int at = baseOffset + pos;
            if (count >= IkeLimits.MaxPayloads)
                return ParseHelpers.Fail(out f, IkeParseError.TooManyPayloads, type, at, $"more than {IkeLimits.MaxPayloads} payloads");
            if (span.Length - pos < IkeLimits.GenericPayloadHeaderLength)
                return ParseHelpers.Fail(out f, IkeParseError.Truncated, type, at, "generic payload header truncated");
            // Next Payload (8 bits), critical bit + reserved (8), Payload Length (16): one read, one bounds check.
            uint generic = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            var next = (PayloadType)(generic >> 24);
            bool critical = (generic & 0x0080_0000) != 0;
            int length = (int)(generic & 0xFFFF);
            if (length < IkeLimits.GenericPayloadHeaderLength || length > span.Length - pos)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidLength, type, at, $"payload length {length} with {span.Length - pos} bytes left");
            var body = data.Slice(pos + IkeLimits.GenericPayloadHeaderLength, length - IkeLimits.GenericPayloadHeaderLength);
            int bodyAt = at + IkeLimits.GenericPayloadHeaderLength;

            if (type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                // RFC 7296 §3.14 / RFC 7383 §2.5: SK/SKF is the last payload; its Next Payload names the inner chain.
                if (inner)
                    return ParseHelpers.Fail(out f, IkeParseError.MisplacedEncryptedPayload, type, at, "encrypted payload inside encrypted payload");
                if (pos + length != span.Length)
                    return ParseHelpers.Fail(out f, IkeParseError.MisplacedEncryptedPayload, type, at, "encrypted payload is not last");
            }

            Payload? payload;
            bool ok;
            if (!IsKnown(type))
            {
                if (critical)
                    return ParseHelpers.Fail(out f, IkeParseError.UnsupportedCriticalPayload, type, at, $"unsupported critical payload {(byte)type}");
                payload = new UnknownPayload(type, body);
                ok = true;
                f = default;
            }
            else
            {
                ok = TryParseBody(type, next, body, bodyAt, isResponse, out payload, out f);
            }
            if (!ok)
                return false;

            // In range: this loop reaches a payload only where the pre-count (same checks, same positions) counted it.
            slots[count++] = critical ? payload! with { Critical = true } : payload!;
            pos += length;
            if (type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
                break;
            type = next;
        }
        if (pos != span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.LengthMismatch, PayloadType.None, baseOffset + pos, $"{span.Length - pos} bytes after the last payload");
        payloads = count == list.Length ? list : list[..count]; // always equal on success; the slice only guards against a null entry
        f = default;
        return true;
    }

    /// <summary>
    /// The number of payloads in the chain, from the generic headers alone (Next Payload, Payload Length), so the
    /// list is allocated once at its final size instead of growing 8 → 16 for a typical IKE_AUTH. Stops at
    /// <see cref="IkeLimits.MaxPayloads"/> or at the first impossible length; the full parse reports the defect.
    /// </summary>
    private static int CountPayloads(PayloadType first, ReadOnlySpan<byte> span)
    {
        int count = 0;
        int pos = 0;
        var type = first;
        while (type != PayloadType.None && count < IkeLimits.MaxPayloads && span.Length - pos >= IkeLimits.GenericPayloadHeaderLength)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length < IkeLimits.GenericPayloadHeaderLength)
                break;
            count++;
            if (type is PayloadType.Encrypted or PayloadType.EncryptedFragment)
                break;
            type = (PayloadType)span[pos];
            pos += length;
        }
        return count;
    }

    private static bool TryParseBody(PayloadType type, PayloadType next, ReadOnlyMemory<byte> body, int offset, bool isResponse,
        out Payload? payload, out IkeParseFailure f)
    {
        switch (type)
        {
            case PayloadType.SecurityAssociation: return SecurityAssociationPayload.TryParse(body, offset, isResponse, out payload, out f);
            case PayloadType.KeyExchange: return KeyExchangePayload.TryParse(body, offset, out payload, out f);
            case PayloadType.IdentificationInitiator: return IdentificationPayload.TryParse(true, body, offset, out payload, out f);
            case PayloadType.IdentificationResponder: return IdentificationPayload.TryParse(false, body, offset, out payload, out f);
            case PayloadType.Certificate: return CertificatePayload.TryParse(body, offset, out payload, out f);
            case PayloadType.CertificateRequest: return CertificateRequestPayload.TryParse(body, offset, out payload, out f);
            case PayloadType.Authentication: return AuthenticationPayload.TryParse(body, offset, out payload, out f);
            case PayloadType.Nonce: return NoncePayload.TryParse(body, offset, out payload, out f);
            case PayloadType.Notify: return NotifyPayload.TryParse(body, offset, out payload, out f);
            case PayloadType.Delete: return DeletePayload.TryParse(body, offset, out payload, out f);
            case PayloadType.TrafficSelectorInitiator: return TrafficSelectorPayload.TryParse(true, body, offset, out payload, out f);
            case PayloadType.TrafficSelectorResponder: return TrafficSelectorPayload.TryParse(false, body, offset, out payload, out f);
            case PayloadType.Configuration: return ConfigurationPayload.TryParse(body, offset, out payload, out f);
            case PayloadType.Eap: return EapPayload.TryParse(body, offset, out payload, out f);
            case PayloadType.EncryptedFragment: return EncryptedFragmentPayload.TryParse(next, body, offset, out payload, out f);
            case PayloadType.Encrypted:
                payload = new EncryptedPayload(next, body);
                f = default;
                return true;
            case PayloadType.VendorId:
                payload = new VendorIdPayload(body);
                f = default;
                return true;
            default:
                payload = new UnknownPayload(type, body);
                f = default;
                return true;
        }
    }
}
