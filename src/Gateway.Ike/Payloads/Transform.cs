using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>
/// A transform substructure (RFC 7296 §3.3.2): type, 16-bit ID and attributes. A value type: a proposal holds its
/// transforms in one array, not one heap object each (strongSwan's default IKE proposal has dozens).
/// </summary>
public readonly record struct Transform(TransformType Type, ushort Id, IReadOnlyList<TransformAttribute> Attributes)
{
    internal const int HeaderLength = 8;

    /// <summary>The attributes, empty for <c>default(Transform)</c>.</summary>
    private IReadOnlyList<TransformAttribute> AttributeList => Attributes ?? [];

    /// <summary>A transform, with a Key Length attribute when <paramref name="keyLength"/> is given.</summary>
    public static Transform Create(TransformType type, ushort id, ushort? keyLength = null) =>
        new(type, id, keyLength is { } k ? [TransformAttribute.Tv(TransformAttributeType.KeyLength, k)] : []);

    public static Transform Encryption(EncryptionAlgorithm id, ushort? keyLength = null) => Create(TransformType.Encryption, (ushort)id, keyLength);
    public static Transform Prf(PseudorandomFunction id) => Create(TransformType.PseudorandomFunction, (ushort)id);
    public static Transform Integrity(IntegrityAlgorithm id) => Create(TransformType.Integrity, (ushort)id);
    public static Transform KeyExchange(KeyExchangeGroup id) => Create(TransformType.KeyExchange, (ushort)id);
    public static Transform Esn(ExtendedSequenceNumbers id) => Create(TransformType.ExtendedSequenceNumbers, (ushort)id);

    /// <summary>The Key Length attribute value in bits, or null when absent.</summary>
    public ushort? KeyLength
    {
        get
        {
            var attributes = new ListView<TransformAttribute>(AttributeList);
            for (int i = 0; i < attributes.Count; i++)
            {
                var a = attributes[i];
                if (a.IsTypeValue && a.AttributeType == (ushort)TransformAttributeType.KeyLength)
                    return a.Value;
            }
            return null;
        }
    }

    public int GetSize()
    {
        var attributes = new ListView<TransformAttribute>(AttributeList);
        int size = HeaderLength;
        for (int i = 0; i < attributes.Count; i++)
            size += attributes[i].GetSize();
        return size;
    }

    internal int WriteTo(Span<byte> d, bool last)
    {
        d[0] = last ? (byte)0 : (byte)3;
        d[1] = 0;
        d[4] = (byte)Type;
        d[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], Id);
        var attributes = new ListView<TransformAttribute>(AttributeList);
        int pos = HeaderLength;
        for (int i = 0; i < attributes.Count; i++)
            pos += attributes[i].WriteTo(d[pos..]);
        // Length written last, from what was written, rather than walking the attributes twice via GetSize().
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)pos);
        return pos;
    }

    public override string ToString() => KeyLength is { } k ? $"{Type}:{Id}/{k}" : $"{Type}:{Id}";
}
