using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Esp;

/// <summary>
/// An IPv4 or IPv6 address as a value type, for keying the SA table on the packet path: unlike
/// <see cref="IPAddress"/> it is built from packet bytes without allocation and compares and hashes in a few instructions.
/// </summary>
public readonly struct InnerAddress : IEquatable<InnerAddress>
{
    private readonly ulong _high; // IPv6: first 8 bytes, big-endian; IPv4: 0
    private readonly ulong _low;  // IPv6: last 8 bytes, big-endian; IPv4: the address in the low 32 bits

    private InnerAddress(ulong high, ulong low, bool isIPv6)
    {
        _high = high;
        _low = low;
        IsIPv6 = isIPv6;
    }

    public bool IsIPv6 { get; }

    /// <summary>From 4 bytes in network order.</summary>
    public static InnerAddress FromIPv4(ReadOnlySpan<byte> address) =>
        new(0, BinaryPrimitives.ReadUInt32BigEndian(address), isIPv6: false);

    /// <summary>From 16 bytes in network order.</summary>
    public static InnerAddress FromIPv6(ReadOnlySpan<byte> address) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address[8..]), isIPv6: true);

    /// <summary>From an <see cref="IPAddress"/> (control plane). IPv4-mapped IPv6 addresses stay IPv6.</summary>
    public static InnerAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
            throw new ArgumentException("Unsupported address.", nameof(address));
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when written == 4 => FromIPv4(bytes),
            AddressFamily.InterNetworkV6 when written == 16 => FromIPv6(bytes),
            _ => throw new ArgumentException($"Not an IPv4 or IPv6 address: {address}", nameof(address)),
        };
    }

    public static InnerAddress Parse(string address) => FromIPAddress(IPAddress.Parse(address));

    /// <summary>Allocates an <see cref="IPAddress"/>: for the control plane and logs, not the packet path.</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!IsIPv6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)_low);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _low);
        return new IPAddress(bytes);
    }

    public bool Equals(InnerAddress other) => _high == other._high && _low == other._low && IsIPv6 == other.IsIPv6;

    public override bool Equals(object? obj) => obj is InnerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low, IsIPv6);

    public static bool operator ==(InnerAddress left, InnerAddress right) => left.Equals(right);

    public static bool operator !=(InnerAddress left, InnerAddress right) => !left.Equals(right);

    public override string ToString() => ToIPAddress().ToString();
}
