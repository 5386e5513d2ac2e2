using Gateway.Crypto.Eap;

namespace Gateway.Crypto.Tests.Eap;

public class EapCodecTests
{
    [Fact]
    public void Identity_request_and_response_round_trip()
    {
        var request = EapIdentity.Request(7);
        Assert.Equal(new byte[] { 1, 7, 0, 5, 1 }, request.Encode());

        var response = EapIdentity.Response(7, "alice@example.com");
        var bytes = response.Encode();
        Assert.Equal(new byte[] { 2, 7, 0, (byte)bytes.Length, 1 }, bytes[..5]);

        var parsed = EapPacket.Parse(bytes);
        Assert.True(parsed.IsSuccess);
        Assert.Equal(response, parsed.Value);
        var identity = EapIdentity.ParseResponse(parsed.Value!);
        Assert.Equal("alice@example.com", identity.Value);
    }

    [Fact]
    public void Success_and_failure_are_four_bytes()
    {
        Assert.Equal(new byte[] { 3, 9, 0, 4 }, EapPacket.Success(9).Encode());
        Assert.Equal(new byte[] { 4, 9, 0, 4 }, EapPacket.Failure(9).Encode());
        var parsed = EapPacket.Parse([3, 9, 0, 4]);
        Assert.Equal(EapCode.Success, parsed.Value!.Code);
        Assert.Null(parsed.Value.Type);
    }

    [Theory]
    [InlineData("", EapParseError.Truncated)]
    [InlineData("0107", EapParseError.Truncated)]
    [InlineData("05070004", EapParseError.UnknownCode)]
    [InlineData("00070004", EapParseError.UnknownCode)]
    [InlineData("01070003", EapParseError.BadLength)]
    [InlineData("01070004", EapParseError.BadLength)] // a Request needs a Type
    [InlineData("0107000901", EapParseError.BadLength)] // Length beyond the data
    [InlineData("0307000500", EapParseError.UnexpectedData)]
    public void Malformed_packets_give_typed_errors(string hex, EapParseError expected)
    {
        var result = EapPacket.Parse(Convert.FromHexString(hex));
        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void Bytes_beyond_length_are_padding()
    {
        var parsed = EapPacket.Parse(Convert.FromHexString("010700050100000000"));
        Assert.True(parsed.IsSuccess);
        Assert.Equal(5, parsed.Value!.Length);
    }

    [Fact]
    public void Nak_round_trips()
    {
        var nak = EapNak.Response(3, EapType.MsChapV2, EapType.Tls);
        var parsed = EapNak.Parse(EapPacket.Parse(nak.Encode()).Value!);
        Assert.Equal(new[] { EapType.MsChapV2, EapType.Tls }, parsed.Value);
        Assert.Equal(EapParseError.WrongType, EapNak.Parse(EapIdentity.Request(1)).Error);
    }

    [Fact]
    public void Invalid_utf8_identity_is_a_typed_error()
    {
        var packet = EapPacket.Parse(Convert.FromHexString("02010007 01 C328".Replace(" ", ""))).Value!;
        Assert.Equal(EapParseError.InvalidField, EapIdentity.ParseResponse(packet).Error);
    }

    [Fact]
    public void MsChapV2_challenge_layout_and_round_trip()
    {
        var challenge = Convert.FromHexString("5B5D7C7D7B3F2F3E3C2C602132262628");
        var packet = MsChapV2Codec.Encode(EapCode.Request, 2, new MsChapV2Challenge(2, challenge, "gw"));
        var bytes = packet.Encode();
        // Code 1, Id 2, Length 5+4+1+16+2 = 28, Type 26, OpCode 1, MS-CHAPv2-ID 2, MS-Length 23, Value-Size 16.
        Assert.Equal(Convert.FromHexString("0102001C1A01020017" + "10"), bytes[..10]);
        Assert.Equal(challenge, bytes[10..26]);
        Assert.Equal("gw"u8.ToArray(), bytes[26..]);

        var parsed = MsChapV2Codec.Parse(EapPacket.Parse(bytes).Value!);
        var c = Assert.IsType<MsChapV2Challenge>(parsed.Value);
        Assert.Equal(challenge, c.Challenge.ToArray());
        Assert.Equal("gw", c.Name);
    }

    [Fact]
    public void MsChapV2_response_layout_and_round_trip()
    {
        var message = new MsChapV2Response(2, MsChapV2CryptoTests.PeerChallenge, MsChapV2CryptoTests.NtResponse, 0, "User");
        var bytes = MsChapV2Codec.Encode(EapCode.Response, 2, message).Encode();
        Assert.Equal(5 + 4 + 1 + 49 + 4, bytes.Length);
        Assert.Equal(49, bytes[9]);
        Assert.Equal(new byte[8], bytes[26..34]); // reserved
        Assert.Equal(MsChapV2CryptoTests.NtResponse, bytes[34..58]);

        var r = Assert.IsType<MsChapV2Response>(MsChapV2Codec.Parse(EapPacket.Parse(bytes).Value!).Value);
        Assert.Equal(MsChapV2CryptoTests.PeerChallenge, r.PeerChallenge.ToArray());
        Assert.Equal(MsChapV2CryptoTests.NtResponse, r.NtResponse.ToArray());
        Assert.Equal("User", r.Name);
        Assert.DoesNotContain("82309E", r.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MsChapV2_success_and_failure_responses_are_the_opcode_alone()
    {
        Assert.Equal(new byte[] { 2, 4, 0, 6, 26, 3 }, MsChapV2Codec.Encode(EapCode.Response, 4, new MsChapV2SuccessResponse()).Encode());
        Assert.Equal(new byte[] { 2, 4, 0, 6, 26, 4 }, MsChapV2Codec.Encode(EapCode.Response, 4, new MsChapV2FailureResponse()).Encode());
    }

    [Fact]
    public void MsChapV2_change_password_round_trips()
    {
        var message = new MsChapV2ChangePassword(5, new byte[516], new byte[16], new byte[16], new byte[24], 0);
        var bytes = MsChapV2Codec.Encode(EapCode.Response, 5, message).Encode();
        Assert.Equal(5 + 4 + 582, bytes.Length);
        Assert.IsType<MsChapV2ChangePassword>(MsChapV2Codec.Parse(EapPacket.Parse(bytes).Value!).Value);
    }

    [Theory]
    [InlineData("0201000519", EapParseError.WrongType)] // type 25, not 26
    [InlineData("020100051A", EapParseError.Truncated)] // no OpCode
    [InlineData("020100081A020200", EapParseError.Truncated)] // header cut
    [InlineData("020100091A02020004", EapParseError.Truncated)] // Response without Value-Size
    [InlineData("0201000A1A0202000530", EapParseError.BadValueSize)] // Value-Size 48
    [InlineData("0201000A1A0202000531", EapParseError.Truncated)] // Value-Size 49, no value
    [InlineData("020100071A0300", EapParseError.UnexpectedData)] // Success response with data
    [InlineData("020100091A01020004", EapParseError.UnknownOpCode)] // Challenge in a Response
    [InlineData("020100091A09020004", EapParseError.UnknownOpCode)]
    [InlineData("020100091A07020004", EapParseError.Truncated)] // Change-Password too short
    public void Malformed_mschapv2_gives_typed_errors(string hex, EapParseError expected)
    {
        var packet = EapPacket.Parse(Convert.FromHexString(hex));
        Assert.True(packet.IsSuccess, packet.Error.ToString());
        var result = MsChapV2Codec.Parse(packet.Value!);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var buffer = new byte[random.Next(0, 80)];
            random.NextBytes(buffer);
            if (buffer.Length > 4 && random.Next(2) == 0)
            {
                buffer[0] = (byte)random.Next(1, 3);
                buffer[2] = 0;
                buffer[3] = (byte)random.Next(0, buffer.Length + 2);
                buffer[4] = 26;
            }
            var packet = EapPacket.Parse(buffer);
            if (packet.IsSuccess && packet.Value!.Type is not null)
            {
                _ = MsChapV2Codec.Parse(packet.Value);
                _ = EapIdentity.ParseResponse(packet.Value);
                _ = EapNak.Parse(packet.Value);
            }
        }
    }
}
