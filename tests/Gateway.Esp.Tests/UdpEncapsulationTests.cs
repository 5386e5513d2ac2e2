namespace Gateway.Esp.Tests;

public class UdpEncapsulationTests
{
    private static byte[] IkeMessage(int length = 28)
    {
        var ike = new byte[length];
        for (int i = 0; i < ike.Length; i++)
            ike[i] = (byte)(i + 1); // nonzero initiator SPI, like a real IKE header
        return ike;
    }

    [Fact]
    public void ASingleFFByteIsANatKeepalive()
    {
        Assert.Equal(UdpDatagramKind.NatKeepalive, UdpEncapsulation.Classify([0xFF], out var payload));
        Assert.True(payload.IsEmpty);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0xFE })]
    [InlineData(new byte[] { 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x12, 0x34, 0x56 })]
    public void ShortDatagramsAreMalformed(byte[] datagram) =>
        Assert.Equal(UdpDatagramKind.Malformed, UdpEncapsulation.Classify(datagram, out _));

    [Fact]
    public void TheNonEspMarkerIntroducesIke()
    {
        byte[] ike = IkeMessage(60);
        byte[] datagram = [0, 0, 0, 0, .. ike];
        Assert.Equal(UdpDatagramKind.Ike, UdpEncapsulation.Classify(datagram, out var payload));
        Assert.Equal(ike, payload.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(27)]
    public void AMarkerFollowedByLessThanAnIkeHeaderIsMalformed(int ikeLength)
    {
        byte[] datagram = [0, 0, 0, 0, .. IkeMessage(ikeLength)];
        Assert.Equal(UdpDatagramKind.Malformed, UdpEncapsulation.Classify(datagram, out var payload));
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void ANonzeroFirstWordIsAnEspSpi()
    {
        byte[] esp = [0xC0, 0x01, 0x02, 0x03, 0, 0, 0, 1, 0xAA, 0xBB];
        Assert.Equal(UdpDatagramKind.Esp, UdpEncapsulation.Classify(esp, out var payload));
        Assert.Equal(esp, payload.ToArray());
        Assert.Equal(0xC0010203u, UdpEncapsulation.ReadSpi(payload));
        Assert.Equal(1u, UdpEncapsulation.ReadSequenceLow(payload));
    }

    [Fact]
    public void AnEspPacketOfJustTheHeaderIsStillEsp() =>
        Assert.Equal(UdpDatagramKind.Esp, UdpEncapsulation.Classify([0, 0, 1, 0, 0, 0, 0, 9], out _));

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 })] // 7 bytes: no room for the sequence number
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 })] // SPI 1: reserved
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00 })] // SPI 255: reserved
    [InlineData(new byte[] { 0xFF, 0x00, 0x00, 0x00 })] // FF then more: not a keepalive, too short for ESP
    public void ShortOrReservedSpiEspIsMalformed(byte[] datagram) =>
        Assert.Equal(UdpDatagramKind.Malformed, UdpEncapsulation.Classify(datagram, out _));

    [Fact]
    public void FramedIkeRoundTrips()
    {
        byte[] ike = IkeMessage(40);
        var datagram = new byte[100];
        int length = UdpEncapsulation.FrameIke(ike, datagram);
        Assert.Equal(44, length);
        Assert.Equal(new byte[4], datagram[..4]);
        Assert.Equal(UdpDatagramKind.Ike, UdpEncapsulation.Classify(datagram.AsSpan(0, length), out var payload));
        Assert.Equal(ike, payload.ToArray());
    }

    [Fact]
    public void FramingIntoATooSmallBufferThrows() =>
        Assert.Throws<ArgumentException>(() => UdpEncapsulation.FrameIke(IkeMessage(40), new byte[43]));

    [Fact]
    public void InPlaceMarkerAndKeepaliveWriters()
    {
        byte[] buffer = [9, 9, 9, 9, 9];
        UdpEncapsulation.WriteNonEspMarker(buffer);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 9 }, buffer);
        Assert.Equal(1, UdpEncapsulation.WriteNatKeepalive(buffer));
        Assert.Equal(UdpDatagramKind.NatKeepalive, UdpEncapsulation.Classify(buffer.AsSpan(0, 1), out _));
    }
}
