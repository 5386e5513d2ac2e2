using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.LoadTest.Traffic;

/// <summary>
/// The inner packets a tunnel sends: IPv4 ICMP echo requests (RFC 792) from its virtual address to a target behind the
/// gateway, which any IP host answers, so every reply that comes back through the tunnel proves both directions work.
/// </summary>
public static class IcmpEcho
{
    public const int IPv4HeaderLength = 20;
    public const int IcmpHeaderLength = 8;
    public const int MinSize = IPv4HeaderLength + IcmpHeaderLength;
    private const byte EchoRequest = 8, EchoReply = 0, ProtocolIcmp = 1;

    /// <summary>An echo request of <paramref name="size"/> bytes in all (IP header included), sequence 0; see <see cref="SetSequence"/>.</summary>
    public static byte[] Request(IPAddress source, IPAddress destination, int size, ushort identifier)
    {
        if (source.AddressFamily != AddressFamily.InterNetwork || destination.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("ICMP echo traffic is IPv4 only");
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        var packet = new byte[size];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)size);
        packet[6] = 0x40; // don't fragment: the size is what was asked for
        packet[8] = 64;
        packet[9] = ProtocolIcmp;
        source.TryWriteBytes(packet.AsSpan(12), out _);
        destination.TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, IPv4HeaderLength)));
        var icmp = packet.AsSpan(IPv4HeaderLength);
        icmp[0] = EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], identifier);
        for (int i = IcmpHeaderLength; i < icmp.Length; i++)
            icmp[i] = (byte)i; // a recognisable payload
        SetSequence(packet, 0);
        return packet;
    }

    /// <summary>Writes the sequence number and the ICMP checksum again (the only fields that change per packet).</summary>
    public static void SetSequence(Span<byte> packet, ushort sequence)
    {
        var icmp = packet[IPv4HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
    }

    /// <summary>True for an IPv4 echo reply; <paramref name="identifier"/> is its identifier (the checksum is left to the kernels that made it).</summary>
    public static bool TryReadReply(ReadOnlySpan<byte> packet, out ushort identifier)
    {
        identifier = 0;
        if (packet.Length < MinSize || packet[0] >> 4 != 4 || packet[9] != ProtocolIcmp)
            return false;
        var icmp = packet[((packet[0] & 0x0F) * 4)..];
        if (icmp.Length < IcmpHeaderLength || icmp[0] != EchoReply)
            return false;
        identifier = BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]);
        return true;
    }

    public static ushort Checksum(ReadOnlySpan<byte> data) => Gateway.Esp.InternetChecksum.Compute(data);
}
