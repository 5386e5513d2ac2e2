namespace Gateway.Esp.Tests;

public sealed class InternetChecksumTests
{
    [Fact]
    public void The_RFC_1071_example_sums_to_ddf2()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum (end-around carry) to ddf2; the checksum is its complement.
        Assert.Equal(0x220d, InternetChecksum.Compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }

    [Fact]
    public void An_odd_length_is_padded_with_a_zero_byte_and_a_checked_packet_sums_to_zero()
    {
        Assert.Equal(InternetChecksum.Compute([0x12, 0x34, 0x56, 0x00]), InternetChecksum.Compute([0x12, 0x34, 0x56]));
        var packet = Packets.IcmpEcho(8, 1, 2, [1, 2, 3]);
        Assert.Equal(0, InternetChecksum.Compute(packet));
    }
}
