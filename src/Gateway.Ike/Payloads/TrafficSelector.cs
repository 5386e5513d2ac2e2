using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Ike;

/// <summary>One traffic selector (RFC 7296 §3.13.1): an address range, a port range and an IP protocol (0 = any).</summary>
public readonly record struct TrafficSelector(
    TrafficSelectorType SelectorType,
    byte IpProtocol,
    ushort StartPort,
    ushort EndPort,
    ReadOnlyMemory<byte> StartAddress,
    ReadOnlyMemory<byte> EndAddress)
{
    internal const int Ipv4Length = 16;
    internal const int Ipv6Length = 40;

    /// <summary>A selector for [start, end] (both the same family) with a protocol and port range.</summary>
    public static TrafficSelector FromRange(IPAddress start, IPAddress end, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = 65535)
    {
        if (start.AddressFamily != end.AddressFamily)
            throw new ArgumentException("Start and end must be of the same address family.");
        var type = start.AddressFamily == AddressFamily.InterNetwork ? TrafficSelectorType.Ipv4AddressRange : TrafficSelectorType.Ipv6AddressRange;
        var startBytes = start.GetAddressBytes();
        // A host selector shares one array (read-only here): every tunnel keeps a few selectors for its SA's life.
        var endBytes = start.Equals(end) ? startBytes : end.GetAddressBytes();
        return new TrafficSelector(type, ipProtocol, startPort, endPort, startBytes, endBytes);
    }

    /// <summary>Everything of one family: 0.0.0.0-255.255.255.255 or ::-ffff:..., any protocol and port.</summary>
    public static TrafficSelector Any(AddressFamily family) => family == AddressFamily.InterNetwork
        ? FromRange(IPAddress.Any, IPAddress.Broadcast)
        : FromRange(IPAddress.IPv6Any, new IPAddress(Enumerable.Repeat((byte)0xFF, 16).ToArray()));

    /// <summary>A single host address.</summary>
    public static TrafficSelector ForHost(IPAddress address) => FromRange(address, address);

    public IPAddress Start => new(StartAddress.Span);

    public IPAddress End => new(EndAddress.Span);

    internal int GetSize() => 8 + StartAddress.Length + EndAddress.Length;

    internal int WriteTo(Span<byte> d)
    {
        int size = GetSize();
        d[0] = (byte)SelectorType;
        d[1] = IpProtocol;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)size);
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], StartPort);
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], EndPort);
        StartAddress.Span.CopyTo(d[8..]);
        EndAddress.Span.CopyTo(d[(8 + StartAddress.Length)..]);
        return size;
    }

    public override string ToString() => $"{Start}-{End}[{IpProtocol}/{StartPort}-{EndPort}]";
}

/// <summary>TSi / TSr payload (RFC 7296 §3.13).</summary>
public sealed record TrafficSelectorPayload(bool IsInitiator, IReadOnlyList<TrafficSelector> Selectors) : Payload
{
    public override PayloadType Type => IsInitiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;

    public override int GetBodySize()
    {
        var selectors = new ListView<TrafficSelector>(Selectors);
        int size = 4;
        for (int i = 0; i < selectors.Count; i++)
            size += selectors[i].GetSize();
        return size;
    }

    public override int WriteBody(Span<byte> d)
    {
        var selectors = new ListView<TrafficSelector>(Selectors);
        d[0] = (byte)selectors.Count;
        d[1] = d[2] = d[3] = 0;
        int pos = 4;
        for (int i = 0; i < selectors.Count; i++)
            pos += selectors[i].WriteTo(d[pos..]);
        return pos;
    }

    internal static bool TryParse(bool initiator, ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        var t = initiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, t, offset, 4, span.Length);
        int count = span[0];
        if (count == 0)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidTrafficSelector, t, offset, "no traffic selectors");
        if (count > IkeLimits.MaxTrafficSelectors)
            return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, t, offset, $"{count} traffic selectors");
        // An array, not a List: the count is known and bounded (MaxTrafficSelectors), so no wrapper object is needed.
        var list = new TrafficSelector[count];
        int pos = 4;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - pos < 8)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidTrafficSelector, t, offset + pos, $"{count} selectors announced, {i} present");
            var type = (TrafficSelectorType)span[pos];
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            int expected = type switch
            {
                TrafficSelectorType.Ipv4AddressRange => TrafficSelector.Ipv4Length,
                TrafficSelectorType.Ipv6AddressRange => TrafficSelector.Ipv6Length,
                _ => -1,
            };
            if (expected < 0)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidTrafficSelector, t, offset + pos, $"selector type {span[pos]}");
            if (length != expected)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidTrafficSelector, t, offset + pos, $"selector length {length} for {type}");
            if (length > span.Length - pos)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidLength, t, offset + pos, "selector overruns payload");
            int addressLength = (length - 8) / 2;
            list[i] = new TrafficSelector(type, span[pos + 1],
                BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 4)..]),
                BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 6)..]),
                body.Slice(pos + 8, addressLength),
                body.Slice(pos + 8 + addressLength, addressLength));
            pos += length;
        }
        if (pos != span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidTrafficSelector, t, offset + pos, "bytes after the announced selectors");
        payload = new TrafficSelectorPayload(initiator, list);
        f = default;
        return true;
    }
}
