using System.Buffers.Binary;

namespace Gateway.Esp;

/// <summary>The header fields the data plane routes and filters by.</summary>
/// <param name="Version">4 or 6.</param>
/// <param name="Length">The packet length its header declares (IPv4 total length; IPv6 40 + payload length).</param>
/// <param name="Protocol">IPv4 protocol or IPv6 next header (of the fixed header; extension headers are not walked).</param>
public readonly record struct InnerPacketInfo(int Version, InnerAddress Source, InnerAddress Destination, int Length, byte Protocol);

/// <summary>
/// Reads an inner (tunnelled) IP packet's version and addresses without allocation, so the TUN reader can route by
/// destination and the ESP receiver can check the source against the SA (a client may only send from its virtual
/// address). Only what routing needs is validated; the kernel validates the rest when the packet reaches the TUN.
/// </summary>
public static class InnerPacket
{
    public const int IPv4MinHeaderLength = 20;
    public const int IPv6HeaderLength = 40;

    /// <summary>ESP next-header values for tunnel mode (RFC 4303 §2.6): IP-in-IP (4) and IPv6 (41).</summary>
    public const byte NextHeaderIPv4 = 4;
    public const byte NextHeaderIPv6 = 41;

    /// <summary>
    /// Parses the IP header. False when the packet is not a well-formed IPv4 or IPv6 header whose declared length fits
    /// in <paramref name="packet"/> (trailing bytes beyond the declared length, e.g. padding, are allowed).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out InnerPacketInfo info)
    {
        info = default;
        if (packet.IsEmpty)
            return false;
        return (packet[0] >> 4) switch
        {
            4 => TryParseIPv4(packet, out info),
            6 => TryParseIPv6(packet, out info),
            _ => false,
        };
    }

    /// <summary>The destination only, for the outbound (TUN → SA) lookup.</summary>
    public static bool TryGetDestination(ReadOnlySpan<byte> packet, out InnerAddress destination)
    {
        bool ok = TryParse(packet, out InnerPacketInfo info);
        destination = info.Destination;
        return ok;
    }

    /// <summary>The ESP next-header value that announces this packet in tunnel mode.</summary>
    public static byte NextHeaderFor(in InnerPacketInfo info) => info.Version == 4 ? NextHeaderIPv4 : NextHeaderIPv6;

    private static bool TryParseIPv4(ReadOnlySpan<byte> packet, out InnerPacketInfo info)
    {
        info = default;
        if (packet.Length < IPv4MinHeaderLength)
            return false;
        int headerLength = (packet[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (headerLength < IPv4MinHeaderLength || totalLength < headerLength || totalLength > packet.Length)
            return false;
        info = new InnerPacketInfo(4, InnerAddress.FromIPv4(packet[12..]), InnerAddress.FromIPv4(packet[16..]), totalLength, packet[9]);
        return true;
    }

    private static bool TryParseIPv6(ReadOnlySpan<byte> packet, out InnerPacketInfo info)
    {
        info = default;
        if (packet.Length < IPv6HeaderLength)
            return false;
        // Jumbograms (RFC 2675, payload length 0 plus a hop-by-hop option) never fit a tunnel MTU; a zero payload length
        // is read as a bare 40-byte header.
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        int totalLength = IPv6HeaderLength + payloadLength;
        if (totalLength > packet.Length)
            return false;
        info = new InnerPacketInfo(6, InnerAddress.FromIPv6(packet[8..]), InnerAddress.FromIPv6(packet[24..]), totalLength, packet[6]);
        return true;
    }
}
