using System.Net;
using System.Net.Sockets;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>An inclusive address range of one family as 128-bit numbers, for traffic selector arithmetic.</summary>
internal readonly record struct AddressRange(AddressFamily Family, UInt128 Start, UInt128 End)
{
    public static AddressRange Of(TrafficSelector ts) =>
        new(ts.SelectorType == TrafficSelectorType.Ipv4AddressRange ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6,
            ToNumber(ts.StartAddress.Span), ToNumber(ts.EndAddress.Span));

    public static AddressRange Of(IPNetwork network)
    {
        var start = ToNumber(network.BaseAddress.GetAddressBytes());
        int bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int hostBits = bits - network.PrefixLength;
        UInt128 hostMask = hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return new AddressRange(network.BaseAddress.AddressFamily, start, start | hostMask);
    }

    public bool Contains(IPAddress address) =>
        address.AddressFamily == Family && ToNumber(address.GetAddressBytes()) is var n && n >= Start && n <= End;

    public AddressRange? Intersect(AddressRange other)
    {
        if (other.Family != Family)
            return null;
        var start = UInt128.Max(Start, other.Start);
        var end = UInt128.Min(End, other.End);
        return start <= end ? new AddressRange(Family, start, end) : null;
    }

    /// <summary>A selector over this range with the protocol and ports of <paramref name="template"/>.</summary>
    public TrafficSelector ToSelector(TrafficSelector template) =>
        TrafficSelector.FromRange(ToAddress(Start), ToAddress(End), template.IpProtocol, template.StartPort, template.EndPort);

    public IPAddress AddressAt(UInt128 value) => ToAddress(value);

    private IPAddress ToAddress(UInt128 value)
    {
        int length = Family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }
        return new IPAddress(bytes);
    }

    private static UInt128 ToNumber(ReadOnlySpan<byte> bytes)
    {
        UInt128 n = 0;
        foreach (var b in bytes)
            n = (n << 8) | b;
        return n;
    }
}
