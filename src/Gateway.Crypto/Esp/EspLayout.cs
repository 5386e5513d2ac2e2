using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Crypto.Esp;

/// <summary>
/// Sizes of an ESP packet for one suite (RFC 4303 §2): SPI(4) ‖ Seq(4) ‖ IV ‖ ciphertext(payload ‖ padding ‖ pad length ‖
/// next header) ‖ ICV. The ciphertext is aligned to <see cref="Alignment"/> (cipher block size, at least 4).
/// Use it for MTU math: outer IP/UDP headers are not included.
/// </summary>
public readonly record struct EspLayout(int IvSize, int IcvSize, int Alignment)
{
    /// <summary>SPI and sequence number.</summary>
    public const int HeaderSize = 8;

    /// <summary>Pad length and next header bytes.</summary>
    public const int TrailerSize = 2;

    /// <summary>The layout of a suite.</summary>
    /// <exception cref="NotSupportedException">Unsupported suite.</exception>
    public static EspLayout For(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity)
    {
        var e = TransformSizes.Get(encryption, keyLengthBits);
        var i = TransformSizes.Get(integrity);
        return new EspLayout(e.IvSize, e.IsAead ? e.IcvSize : i.IcvSize, Math.Max(4, e.BlockSize));
    }

    /// <summary>Length of the ciphertext (payload + padding + 2) for an inner packet length.</summary>
    public int CiphertextLength(int innerLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(innerLength);
        return (innerLength + TrailerSize + Alignment - 1) / Alignment * Alignment;
    }

    /// <summary>Length of the whole ESP packet carrying an inner packet of this length.</summary>
    public int PacketLength(int innerLength) => HeaderSize + IvSize + CiphertextLength(innerLength) + IcvSize;

    /// <summary>Bytes ESP adds to an inner packet of this length (header, IV, padding, trailer, ICV).</summary>
    public int Overhead(int innerLength) => PacketLength(innerLength) - innerLength;

    /// <summary>Largest inner packet whose ESP packet fits in <paramref name="espPacketBudget"/> bytes (0 if none).</summary>
    public int MaxInnerLength(int espPacketBudget)
    {
        var ct = espPacketBudget - HeaderSize - IvSize - IcvSize;
        ct -= ct % Alignment;
        return Math.Max(0, ct - TrailerSize);
    }

    /// <summary>Upper bound of the payload buffer <see cref="EspTransform.TryOpen"/> needs for an ESP packet of this length.</summary>
    public int MaxPayloadBuffer(int espPacketLength) => Math.Max(0, espPacketLength - HeaderSize - IvSize - IcvSize);
}
