using System.Buffers.Binary;
using System.Net;

namespace Gateway.Esp.Tests;

public class InnerPacketTests
{
    [Fact]
    public void ParsesAnIPv4Header()
    {
        byte[] packet = Packets.IPv4("10.77.0.5", "10.10.0.1", 6, new byte[12]);
        Assert.True(InnerPacket.TryParse(packet, out InnerPacketInfo info));
        Assert.Equal(4, info.Version);
        Assert.Equal(InnerAddress.Parse("10.77.0.5"), info.Source);
        Assert.Equal(InnerAddress.Parse("10.10.0.1"), info.Destination);
        Assert.Equal(32, info.Length);
        Assert.Equal(6, info.Protocol);
        Assert.Equal(InnerPacket.NextHeaderIPv4, InnerPacket.NextHeaderFor(info));
    }

    [Fact]
    public void ParsesAnIPv4HeaderWithOptionsAndTrailingPadding()
    {
        byte[] packet = [.. Packets.IPv4("192.0.2.1", "10.77.0.9", 17, new byte[8], ihlWords: 6), 0, 0, 0];
        Assert.True(InnerPacket.TryParse(packet, out InnerPacketInfo info));
        Assert.Equal(32, info.Length); // declared length, not the span's
        Assert.True(InnerPacket.TryGetDestination(packet, out InnerAddress destination));
        Assert.Equal(IPAddress.Parse("10.77.0.9"), destination.ToIPAddress());
    }

    [Fact]
    public void ParsesAnIPv6Header()
    {
        byte[] packet = Packets.IPv6("fd77::5", "2001:db8::1", 58, new byte[16]);
        Assert.True(InnerPacket.TryParse(packet, out InnerPacketInfo info));
        Assert.Equal(6, info.Version);
        Assert.Equal(InnerAddress.Parse("fd77::5"), info.Source);
        Assert.Equal(InnerAddress.Parse("2001:db8::1"), info.Destination);
        Assert.True(info.Destination.IsIPv6);
        Assert.Equal(56, info.Length);
        Assert.Equal(58, info.Protocol);
        Assert.Equal(InnerPacket.NextHeaderIPv6, InnerPacket.NextHeaderFor(info));
    }

    public static TheoryData<string, byte[]> MalformedPackets()
    {
        byte[] good4 = Packets.IPv4("10.0.0.1", "10.0.0.2", 1, new byte[8]);
        byte[] good6 = Packets.IPv6("fd00::1", "fd00::2", 59, new byte[8]);
        byte[] Edit(byte[] source, Action<byte[]> change)
        {
            byte[] copy = (byte[])source.Clone();
            change(copy);
            return copy;
        }
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "version 5", Edit(good4, p => p[0] = 0x55) },
            { "version 0", new byte[40] },
            { "IPv4 shorter than 20", good4[..19] },
            { "IHL 4", Edit(good4, p => p[0] = 0x44) },
            { "IHL beyond total length", Edit(good4, p => p[0] = 0x4F) },
            { "total length beyond span", Edit(good4, p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 29)) },
            { "total length below header", Edit(good4, p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 19)) },
            { "truncated IPv4", good4[..27] },
            { "IPv6 shorter than 40", good6[..39] },
            { "IPv6 payload beyond span", Edit(good6, p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 9)) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public void RejectsMalformedPackets(string why, byte[] packet)
    {
        Assert.False(InnerPacket.TryParse(packet, out _), why);
        Assert.False(InnerPacket.TryGetDestination(packet, out _), why);
    }

    [Fact]
    public void InnerAddressesCompareByValueAndFamily()
    {
        Assert.Equal(InnerAddress.Parse("10.77.0.1"), InnerAddress.FromIPv4([10, 77, 0, 1]));
        Assert.NotEqual(InnerAddress.Parse("10.77.0.1"), InnerAddress.Parse("10.77.0.2"));
        Assert.NotEqual(InnerAddress.Parse("10.77.0.1"), InnerAddress.Parse("::ffff:10.77.0.1"));
        Assert.Equal(InnerAddress.Parse("fd77::1").GetHashCode(), InnerAddress.Parse("fd77:0::1").GetHashCode());
        Assert.Equal("fd77::1", InnerAddress.Parse("fd77::1").ToString());
        Assert.Equal("10.77.0.1", InnerAddress.Parse("10.77.0.1").ToString());
    }
}
