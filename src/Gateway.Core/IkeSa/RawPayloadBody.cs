using System.Buffers.Binary;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Finds a payload's body exactly as received in a chain (reserved bytes included), for AUTH (RFC 7296 §2.15 signs
/// the ID payload body as sent). The chain was already parsed successfully, so lengths are sound.
/// </summary>
internal static class RawPayloadBody
{
    public static byte[]? Find(PayloadType first, ReadOnlySpan<byte> chain, PayloadType wanted)
    {
        var type = first;
        int pos = 0;
        for (int count = 0; type != PayloadType.None && count < IkeLimits.MaxPayloads; count++)
        {
            if (chain.Length - pos < IkeLimits.GenericPayloadHeaderLength)
                return null;
            int length = BinaryPrimitives.ReadUInt16BigEndian(chain[(pos + 2)..]);
            if (length < IkeLimits.GenericPayloadHeaderLength || length > chain.Length - pos)
                return null;
            if (type == wanted)
                return chain.Slice(pos + IkeLimits.GenericPayloadHeaderLength, length - IkeLimits.GenericPayloadHeaderLength).ToArray();
            type = (PayloadType)chain[pos];
            pos += length;
        }
        return null;
    }
}
