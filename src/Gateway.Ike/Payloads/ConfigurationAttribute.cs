using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Gateway.Ike;

/// <summary>
/// A CP attribute (RFC 7296 §3.15.1): 15-bit type and value bytes. An empty value in a CFG_REQUEST asks for the
/// attribute. Typed helpers build and read the formats the gateway hands out.
/// </summary>
public readonly record struct ConfigurationAttribute(ushort RawType, ReadOnlyMemory<byte> Value)
{
    public ConfigurationAttributeType AttributeType => (ConfigurationAttributeType)RawType;

    public static ConfigurationAttribute Request(ConfigurationAttributeType type) => new((ushort)type, default);

    public static ConfigurationAttribute Address(ConfigurationAttributeType type, IPAddress address) => new((ushort)type, address.GetAddressBytes());

    public static ConfigurationAttribute InternalIp4Address(IPAddress address) => Address(ConfigurationAttributeType.InternalIp4Address, address);
    public static ConfigurationAttribute InternalIp4Netmask(IPAddress mask) => Address(ConfigurationAttributeType.InternalIp4Netmask, mask);
    public static ConfigurationAttribute InternalIp4Dns(IPAddress address) => Address(ConfigurationAttributeType.InternalIp4Dns, address);
    public static ConfigurationAttribute InternalIp4Nbns(IPAddress address) => Address(ConfigurationAttributeType.InternalIp4Nbns, address);
    public static ConfigurationAttribute InternalIp6Dns(IPAddress address) => Address(ConfigurationAttributeType.InternalIp6Dns, address);

    /// <summary>INTERNAL_IP4_SUBNET: address ‖ netmask (8 bytes).</summary>
    public static ConfigurationAttribute InternalIp4Subnet(IPAddress network, IPAddress mask) =>
        new((ushort)ConfigurationAttributeType.InternalIp4Subnet, (byte[])[.. network.GetAddressBytes(), .. mask.GetAddressBytes()]);

    /// <summary>INTERNAL_IP6_ADDRESS: address ‖ prefix length (17 bytes).</summary>
    public static ConfigurationAttribute InternalIp6Address(IPAddress address, byte prefixLength) =>
        new((ushort)ConfigurationAttributeType.InternalIp6Address, (byte[])[.. address.GetAddressBytes(), prefixLength]);

    /// <summary>INTERNAL_IP6_SUBNET: address ‖ prefix length (17 bytes).</summary>
    public static ConfigurationAttribute InternalIp6Subnet(IPAddress network, byte prefixLength) =>
        new((ushort)ConfigurationAttributeType.InternalIp6Subnet, (byte[])[.. network.GetAddressBytes(), prefixLength]);

    public static ConfigurationAttribute ApplicationVersion(string version) =>
        new((ushort)ConfigurationAttributeType.ApplicationVersion, Encoding.ASCII.GetBytes(version));

    /// <summary>A 4- or 16-byte address value (first 16 bytes of an IPv6 address+prefix).</summary>
    public bool TryGetAddress(out IPAddress? address)
    {
        address = Value.Length switch
        {
            4 or 8 => new IPAddress(Value.Span[..4]),
            16 or 17 => new IPAddress(Value.Span[..16]),
            _ => null,
        };
        return address is not null;
    }

    /// <summary>The prefix length of an IPv6 address/subnet value, or the mask of an IPv4 subnet value.</summary>
    public bool TryGetIp6Prefix(out IPAddress? address, out byte prefixLength)
    {
        address = null;
        prefixLength = 0;
        if (Value.Length != 17)
            return false;
        address = new IPAddress(Value.Span[..16]);
        prefixLength = Value.Span[16];
        return true;
    }

    public bool TryGetIp4Subnet(out IPAddress? network, out IPAddress? mask)
    {
        network = mask = null;
        if (Value.Length != 8)
            return false;
        network = new IPAddress(Value.Span[..4]);
        mask = new IPAddress(Value.Span[4..]);
        return true;
    }

    public string GetString() => Encoding.ASCII.GetString(Value.Span);

    /// <summary>Whether a value length is allowed for the type (RFC 7296 §3.15.1): empty (a request) or the
    /// type's fixed length; any length for types without one. A plain switch: the parser calls this per attribute,
    /// and the earlier form built a new int[] of allowed lengths on every call.</summary>
    internal static bool IsAllowedLength(ushort type, int length) => (ConfigurationAttributeType)type switch
    {
        ConfigurationAttributeType.InternalIp4Address or ConfigurationAttributeType.InternalIp4Netmask
            or ConfigurationAttributeType.InternalIp4Dns or ConfigurationAttributeType.InternalIp4Nbns
            or ConfigurationAttributeType.InternalIp4Dhcp => length is 0 or 4,
        ConfigurationAttributeType.InternalIp4Subnet => length is 0 or 8,
        ConfigurationAttributeType.InternalIp6Address or ConfigurationAttributeType.InternalIp6Subnet => length is 0 or 17,
        ConfigurationAttributeType.InternalIp6Dns or ConfigurationAttributeType.InternalIp6Dhcp => length is 0 or 16,
        _ => true,
    };

    internal int GetSize() => 4 + Value.Length;

    internal int WriteTo(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)(RawType & 0x7FFF));
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)Value.Length);
        return 4 + ParseHelpers.Put(d[4..], Value);
    }
}
