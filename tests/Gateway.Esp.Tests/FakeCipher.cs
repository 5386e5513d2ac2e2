using System.Buffers.Binary;
using Gateway.Esp;

namespace Gateway.Esp.Tests;

/// <summary>
/// A test stand-in for an ESP transform: no encryption, and a keyed 32-bit checksum (FNV-1a) as the "ICV" over the
/// header, the full 64-bit sequence number (as ESN does), the payload and the next header. Not cryptography: it only
/// lets tests tell verified packets from forged or corrupted ones.
/// Layout: SPI(4) | seq low(4) | inner | next header(1) | checksum(4).
/// </summary>
internal sealed class FakeCipher(uint key) : IEspCipher
{
    private const int TrailerLength = 1 + 4;

    public int MaxOverhead => UdpEncapsulation.EspHeaderLength + TrailerLength;

    public int Seal(uint spi, ulong seq, ReadOnlySpan<byte> inner, byte nextHeader, Span<byte> espPacket)
    {
        int length = UdpEncapsulation.EspHeaderLength + inner.Length + TrailerLength;
        BinaryPrimitives.WriteUInt32BigEndian(espPacket, spi);
        BinaryPrimitives.WriteUInt32BigEndian(espPacket[4..], (uint)seq);
        inner.CopyTo(espPacket[8..]);
        espPacket[8 + inner.Length] = nextHeader;
        uint icv = Checksum(espPacket[..(length - 4)], seq);
        BinaryPrimitives.WriteUInt32BigEndian(espPacket[(length - 4)..], icv);
        return length;
    }

    public bool TryOpen(ReadOnlySpan<byte> espPacket, ulong seq, Span<byte> payload, out int payloadLength, out byte nextHeader)
    {
        payloadLength = 0;
        nextHeader = 0;
        if (espPacket.Length < MaxOverhead)
            return false;
        int icvAt = espPacket.Length - 4;
        if (Checksum(espPacket[..icvAt], seq) != BinaryPrimitives.ReadUInt32BigEndian(espPacket[icvAt..]))
            return false;
        payloadLength = icvAt - 1 - 8;
        espPacket.Slice(8, payloadLength).CopyTo(payload);
        nextHeader = espPacket[icvAt - 1];
        return true;
    }

    private uint Checksum(ReadOnlySpan<byte> data, ulong seq)
    {
        uint h = 2166136261u ^ key;
        foreach (byte b in data)
            h = (h ^ b) * 16777619u;
        for (int i = 0; i < 8; i++)
            h = (h ^ (byte)(seq >> (8 * i))) * 16777619u;
        return h;
    }
}
