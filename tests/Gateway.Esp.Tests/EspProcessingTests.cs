using System.Net;

namespace Gateway.Esp.Tests;

public class EspProcessingTests
{
    private const uint InSpi = 0xC0000001, OutSpi = 0xD0000001, InKey = 11, OutKey = 22;
    private static readonly PeerPath Path = new(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 4500), true);
    private static readonly InnerAddress Client = InnerAddress.Parse("10.77.0.5");

    private readonly SecurityAssociationTable _table = new();
    private readonly InboundSa _inbound;
    private readonly OutboundSa _outbound;
    private readonly FakeCipher _clientSends = new(InKey);   // the client's outbound transform = our inbound one
    private readonly FakeCipher _clientReceives = new(OutKey);

    public EspProcessingTests()
    {
        _inbound = new InboundSa(InSpi, new FakeCipher(InKey), new ReplayWindow(), Path, [Client]);
        _outbound = new OutboundSa(OutSpi, new FakeCipher(OutKey), new SequenceCounter(true), Path, [Client]);
        Assert.True(_table.TryAddInbound(_inbound));
        Assert.True(_table.TryAddOutbound(_outbound));
    }

    private byte[] FromClient(ulong seq, byte[] inner, byte nextHeader = InnerPacket.NextHeaderIPv4, uint spi = InSpi)
    {
        var esp = new byte[inner.Length + _clientSends.MaxOverhead];
        int length = _clientSends.Seal(spi, seq, inner, nextHeader, esp);
        return esp[..length];
    }

    private static byte[] Ping(string source, string destination) => Packets.IPv4(source, destination, 1, Packets.IcmpEcho(8, 1, 1, new byte[16]));

    private InboundResult Receive(byte[] esp, out byte[] inner)
    {
        var buffer = new byte[esp.Length];
        InboundResult result = EspInbound.Process(_table, esp, buffer, out int length, out _);
        inner = buffer[..length];
        return result;
    }

    [Fact]
    public void AVerifiedPacketFromTheClientsAddressIsDelivered()
    {
        byte[] ping = Ping("10.77.0.5", "10.10.0.1");
        Assert.Equal(InboundResult.Delivered, Receive(FromClient(1, ping), out byte[] inner));
        Assert.Equal(ping, inner);
        Assert.Equal(new SaCounterSnapshot(1, ping.Length, 0, 0, 0), _inbound.Counters.Snapshot());
    }

    [Fact]
    public void AReplayIsDroppedAndCounted()
    {
        byte[] esp = FromClient(1, Ping("10.77.0.5", "10.10.0.1"));
        Assert.Equal(InboundResult.Delivered, Receive(esp, out _));
        Assert.Equal(InboundResult.Replay, Receive(esp, out _));
        Assert.Equal(1, _inbound.Counters.Snapshot().ReplayDrops);
    }

    [Fact]
    public void AForgedPacketFailsTheIcvAndDoesNotMoveTheWindow()
    {
        Assert.Equal(InboundResult.Delivered, Receive(FromClient(5, Ping("10.77.0.5", "10.10.0.1")), out _));
        byte[] forged = FromClient(1_000_000, Ping("10.77.0.5", "10.10.0.1"));
        forged[^1] ^= 0x01;
        Assert.Equal(InboundResult.IcvFailure, Receive(forged, out _));
        Assert.Equal(5UL, _inbound.ReplayWindow.Highest);
        Assert.Equal(1, _inbound.Counters.Snapshot().IcvFailures);
        // Genuine packets just behind the highest are still accepted.
        Assert.Equal(InboundResult.Delivered, Receive(FromClient(4, Ping("10.77.0.5", "10.10.0.1")), out _));
    }

    [Fact]
    public void ASpoofedInnerSourceIsAPolicyViolation()
    {
        Assert.Equal(InboundResult.PolicyViolation, Receive(FromClient(1, Ping("10.77.0.6", "10.10.0.1")), out _));
        Assert.Equal(1, _inbound.Counters.Snapshot().PolicyDrops);
        Assert.Equal(0, _inbound.Counters.Snapshot().Packets);
    }

    [Fact]
    public void UnknownSpiShortPacketsDummiesAndWrongNextHeadersAreNotDelivered()
    {
        Assert.Equal(InboundResult.UnknownSpi, Receive(FromClient(1, Ping("10.77.0.5", "10.10.0.1"), spi: 0xC0000099), out _));
        Assert.Equal(InboundResult.Malformed, Receive([0xC0, 0, 0, 1, 0, 0, 0], out _));
        Assert.Equal(InboundResult.Dummy, Receive(FromClient(2, new byte[20], nextHeader: 59), out _));
        Assert.Equal(InboundResult.Malformed,
            Receive(FromClient(3, Ping("10.77.0.5", "10.10.0.1"), nextHeader: InnerPacket.NextHeaderIPv6), out _));
    }

    [Fact]
    public void OutboundRoutesByDestinationAndSealsWithTheNextSequenceNumber()
    {
        byte[] ping = Ping("10.10.0.1", "10.77.0.5");
        var esp = new byte[2048];
        for (ulong expectedSeq = 1; expectedSeq <= 3; expectedSeq++)
        {
            Assert.Equal(OutboundResult.Sealed, EspOutbound.Process(_table, ping, esp, out int length, out OutboundSa? sa));
            Assert.Same(_outbound, sa);
            Assert.Equal(OutSpi, UdpEncapsulation.ReadSpi(esp));
            Assert.Equal((uint)expectedSeq, UdpEncapsulation.ReadSequenceLow(esp));

            var opened = new byte[length];
            Assert.True(_clientReceives.TryOpen(esp.AsSpan(0, length), expectedSeq, opened, out int innerLength, out byte nh));
            Assert.Equal(ping, opened[..innerLength]);
            Assert.Equal(InnerPacket.NextHeaderIPv4, nh);
        }
        Assert.Equal(3, _outbound.Counters.Snapshot().Packets);
    }

    [Fact]
    public void OutboundRefusalsAreExplicit()
    {
        var esp = new byte[2048];
        Assert.Equal(OutboundResult.NoRoute, EspOutbound.Process(_table, Ping("10.10.0.1", "10.77.0.99"), esp, out _, out _));
        Assert.Equal(OutboundResult.Malformed, EspOutbound.Process(_table, new byte[10], esp, out _, out _));
        Assert.Equal(OutboundResult.BufferTooSmall, EspOutbound.Process(_table, Ping("10.10.0.1", "10.77.0.5"), new byte[40], out _, out _));

        var exhausted = new OutboundSa(0xD0000002, new FakeCipher(1), new SequenceCounter(false, uint.MaxValue), Path,
            [InnerAddress.Parse("10.77.0.7")]);
        Assert.True(_table.TryAddOutbound(exhausted));
        Assert.Equal(OutboundResult.SequenceExhausted, EspOutbound.Process(_table, Ping("10.10.0.1", "10.77.0.7"), esp, out _, out _));
    }
}
