using System.Buffers.Binary;

namespace Gateway.Esp;

/// <summary>
/// UDP encapsulation of IKE and ESP on port 4500 (RFC 3948): classify what arrived, frame IKE for sending.
/// Span-based and allocation-free: it runs on every datagram received on port 4500.
/// </summary>
public static class UdpEncapsulation
{
    /// <summary>The non-ESP marker: four zero bytes where an ESP packet would have its SPI.</summary>
    public const int NonEspMarkerLength = 4;

    /// <summary>The fixed IKE header (RFC 7296 §3.1); an IKE message is never shorter.</summary>
    public const int IkeHeaderLength = 28;

    /// <summary>SPI and sequence number; no ESP packet is shorter (RFC 4303 §2).</summary>
    public const int EspHeaderLength = 8;

    /// <summary>The NAT-keepalive payload byte (RFC 3948 §2.3).</summary>
    public const byte NatKeepaliveByte = 0xFF;

    /// <summary>
    /// Classifies a datagram received on UDP 4500. <paramref name="payload"/> is the IKE message (marker removed) for
    /// <see cref="UdpDatagramKind.Ike"/>, the whole ESP packet for <see cref="UdpDatagramKind.Esp"/>, empty otherwise.
    /// </summary>
    public static UdpDatagramKind Classify(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (datagram.Length == 1)
            return datagram[0] == NatKeepaliveByte ? UdpDatagramKind.NatKeepalive : UdpDatagramKind.Malformed;
        if (datagram.Length < NonEspMarkerLength)
            return UdpDatagramKind.Malformed;

        uint first = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        if (first == 0)
        {
            ReadOnlySpan<byte> ike = datagram[NonEspMarkerLength..];
            if (ike.Length < IkeHeaderLength)
                return UdpDatagramKind.Malformed;
            payload = ike;
            return UdpDatagramKind.Ike;
        }

        // SPIs 1–255 are reserved by IANA and never assigned (RFC 4303 §2.1), so such a datagram is not ESP either.
        if (first <= 255 || datagram.Length < EspHeaderLength)
            return UdpDatagramKind.Malformed;
        payload = datagram;
        return UdpDatagramKind.Esp;
    }

    /// <summary>Reads the SPI of an ESP packet (at least <see cref="EspHeaderLength"/> bytes).</summary>
    public static uint ReadSpi(ReadOnlySpan<byte> espPacket) => BinaryPrimitives.ReadUInt32BigEndian(espPacket);

    /// <summary>Reads the low 32 bits of the sequence number of an ESP packet (at least <see cref="EspHeaderLength"/> bytes).</summary>
    public static uint ReadSequenceLow(ReadOnlySpan<byte> espPacket) => BinaryPrimitives.ReadUInt32BigEndian(espPacket[4..]);

    /// <summary>Writes the non-ESP marker and the IKE message after it; returns the datagram length.</summary>
    public static int FrameIke(ReadOnlySpan<byte> ikeMessage, Span<byte> datagram)
    {
        int length = NonEspMarkerLength + ikeMessage.Length;
        if (datagram.Length < length)
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(datagram));
        datagram[..NonEspMarkerLength].Clear();
        ikeMessage.CopyTo(datagram[NonEspMarkerLength..]);
        return length;
    }

    /// <summary>
    /// Writes the non-ESP marker in front of an IKE message that the caller then serializes at offset
    /// <see cref="NonEspMarkerLength"/> of the same buffer (no copy).
    /// </summary>
    public static void WriteNonEspMarker(Span<byte> datagram) => datagram[..NonEspMarkerLength].Clear();

    /// <summary>Writes a NAT-keepalive; returns its length (1).</summary>
    public static int WriteNatKeepalive(Span<byte> datagram)
    {
        datagram[0] = NatKeepaliveByte;
        return 1;
    }
}
