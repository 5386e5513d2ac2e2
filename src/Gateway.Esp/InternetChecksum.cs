using System.Buffers.Binary;

namespace Gateway.Esp;

/// <summary>The Internet checksum (RFC 1071): IPv4 headers, ICMP. For building and checking inner packets outside the packet path.</summary>
public static class InternetChecksum
{
    /// <summary>The one's complement of the one's-complement sum of 16-bit words (an odd last byte padded with zero).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if ((data.Length & 1) != 0)
            sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
