using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>
/// SK payload (RFC 7296 §3.14). The body is opaque here: IV ‖ ciphertext (with padding and pad length) ‖ ICV; the
/// crypto layer splits it. <see cref="FirstInnerPayload"/> is the Next Payload field, which names the first payload
/// inside the ciphertext. SK is always the last payload of a message.
/// </summary>
public sealed record EncryptedPayload(PayloadType FirstInnerPayload, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => PayloadType.Encrypted;
    internal override PayloadType TrailingNextPayload => FirstInnerPayload;
    public override int GetBodySize() => Body.Length;
    public override int WriteBody(Span<byte> d) => ParseHelpers.Put(d, Body);
}

/// <summary>
/// SKF payload (RFC 7383 §2.5): one fragment of an SK payload. <see cref="FirstInnerPayload"/> is only set in
/// fragment 1 (zero in the others); <see cref="Body"/> is this fragment's IV ‖ ciphertext ‖ ICV.
/// </summary>
public sealed record EncryptedFragmentPayload(PayloadType FirstInnerPayload, ushort FragmentNumber, ushort TotalFragments, ReadOnlyMemory<byte> Body) : Payload
{
    /// <summary>Fragment number and total, before the encrypted body.</summary>
    public const int FragmentHeaderLength = 4;

    public override PayloadType Type => PayloadType.EncryptedFragment;
    internal override PayloadType TrailingNextPayload => FirstInnerPayload;
    public override int GetBodySize() => FragmentHeaderLength + Body.Length;

    public override int WriteBody(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt16BigEndian(d, FragmentNumber);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], TotalFragments);
        return FragmentHeaderLength + ParseHelpers.Put(d[FragmentHeaderLength..], Body);
    }

    internal static bool TryParse(PayloadType next, ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        var span = body.Span;
        if (span.Length < FragmentHeaderLength)
            return ParseHelpers.TooShort(out f, PayloadType.EncryptedFragment, offset, FragmentHeaderLength, span.Length);
        ushort number = BinaryPrimitives.ReadUInt16BigEndian(span);
        ushort total = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (number == 0 || total == 0 || number > total)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidFragmentNumber, PayloadType.EncryptedFragment, offset, $"fragment {number} of {total}");
        payload = new EncryptedFragmentPayload(next, number, total, body[FragmentHeaderLength..]);
        f = default;
        return true;
    }
}
