using System.Buffers.Binary;
using System.Net;

namespace Gateway.Esp.Tests;

/// <summary>Builds inner IP packets for tests.</summary>
internal static class Packets
{
    public static byte[] IPv4(string source, string destination, byte protocol, ReadOnlySpan<byte> payload, int ihlWords = 5)
    {
        int headerLength = ihlWords * 4;
        var packet = new byte[headerLength + payload.Length];
        packet[0] = (byte)(0x40 | ihlWords);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234); // identification
        packet[8] = 64; // TTL
        packet[9] = protocol;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(12), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), InternetChecksum(packet.AsSpan(0, headerLength)));
        payload.CopyTo(packet.AsSpan(headerLength));
        return packet;
    }

    public static byte[] IPv6(string source, string destination, byte nextHeader, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[40 + payload.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = 64;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(8), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(24), out _);
        payload.CopyTo(packet.AsSpan(40));
        return packet;
    }

    /// <summary>An ICMP echo request or reply (RFC 792) with its checksum.</summary>
    public static byte[] IcmpEcho(byte type, ushort identifier, ushort sequence, ReadOnlySpan<byte> data)
    {
        var icmp = new byte[8 + data.Length];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), sequence);
        data.CopyTo(icmp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), InternetChecksum(icmp));
        return icmp;
    }

    /// <summary>RFC 1071 one's-complement sum (the product's).</summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data) => Gateway.Esp.InternetChecksum.Compute(data);
}
