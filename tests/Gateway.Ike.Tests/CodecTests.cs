using System.Buffers.Binary;
using System.Net;

namespace Gateway.Ike.Tests;

public class CodecTests
{
    public static TheoryData<string> SampleNames() => [.. TestData.All().Select(s => s.Name)];

    private static IkeMessage Sample(string name) => TestData.All().Single(s => s.Name == name).Message;

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Build_parse_build_is_identical_and_model_equal(string name)
    {
        var message = Sample(name);
        var bytes = message.ToArray();
        Assert.Equal(bytes.Length, message.GetSize());
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(24)));

        var parsed = IkeMessage.Parse(bytes);
        Assert.True(parsed.IsSuccess, parsed.ToString());
        DeepEqual.AssertEqual(message, parsed.Value);
        Assert.Equal(bytes, parsed.Value!.ToArray());
    }

    [Fact]
    public void Header_round_trips_and_fast_parse_reads_routing_fields()
    {
        var bytes = TestData.SaInitRequest().ToArray();
        Assert.True(IkeHeader.TryParse(bytes, out var h, out var e));
        Assert.Equal(IkeParseError.None, e);
        Assert.Equal(TestData.Spii, h.InitiatorSpi);
        Assert.Equal(0UL, h.ResponderSpi);
        Assert.Equal(ExchangeType.IkeSaInit, h.ExchangeType);
        Assert.True(h.IsInitiator);
        Assert.False(h.IsResponse);
        Assert.Equal(PayloadType.SecurityAssociation, h.NextPayload);
        Assert.Equal((byte)2, h.MajorVersion);
        var again = new byte[28];
        h.WriteTo(again);
        Assert.Equal(bytes[..28], again);
    }

    [Fact]
    public void Inner_chain_of_sk_parses_with_payload_chain()
    {
        var inner = TestData.AuthRequestInner();
        var bytes = new byte[PayloadChain.GetSize(inner)];
        PayloadChain.Write(bytes, inner);
        var parsed = PayloadChain.Parse(inner[0].Type, bytes);
        Assert.True(parsed.IsSuccess, parsed.ToString());
        DeepEqual.AssertEqual(inner, parsed.Value);
    }

    [Fact]
    public void Encrypted_layout_writes_header_and_sk_header_and_locates_regions()
    {
        var header = TestData.Header(ExchangeType.IkeAuth, false, 1);
        int bodyLength = 16 + 64 + 16;
        var buffer = new byte[EncryptedMessageLayout.GetSize([], bodyLength)];
        var regions = EncryptedMessageLayout.Write(buffer, header, [], PayloadType.IdentificationInitiator, bodyLength);
        Assert.Equal(28 + 4, regions.BodyOffset);
        Assert.Equal(buffer.Length, regions.TotalLength);
        TestData.Bytes(bodyLength, 3).CopyTo(buffer.AsSpan(regions.Body));

        var parsed = IkeMessage.Parse(buffer);
        Assert.True(parsed.IsSuccess, parsed.ToString());
        var sk = Assert.IsType<EncryptedPayload>(Assert.Single(parsed.Value!.Payloads));
        Assert.Equal(PayloadType.IdentificationInitiator, sk.FirstInnerPayload);
        Assert.Equal(TestData.Bytes(bodyLength, 3), sk.Body.ToArray());
        Assert.True(parsed.Value.IsEncrypted);

        Assert.True(EncryptedMessageLayout.TryLocate(buffer, out var located));
        Assert.Equal(regions, located);
        Assert.Equal(PayloadType.Encrypted, (PayloadType)buffer[16]);
        Assert.Equal((byte)PayloadType.IdentificationInitiator, buffer[28]);
    }

    [Fact]
    public void Fragment_layout_puts_first_type_only_in_fragment_one()
    {
        var header = TestData.Header(ExchangeType.IkeAuth, true, 1);
        var unprotected = new Payload[] { NotifyPayload.Create(NotifyType.Cookie, TestData.Bytes(8, 1)) };
        foreach (ushort n in new ushort[] { 1, 2 })
        {
            var buffer = new byte[EncryptedMessageLayout.GetSize(unprotected, 40, fragment: true)];
            var regions = EncryptedMessageLayout.WriteFragment(buffer, header, unprotected, PayloadType.IdentificationResponder, n, 2, 40);
            Assert.Equal(buffer.Length - 40, regions.BodyOffset);
            var parsed = IkeMessage.Parse(buffer);
            Assert.True(parsed.IsSuccess, parsed.ToString());
            var skf = Assert.IsType<EncryptedFragmentPayload>(parsed.Value!.Payloads[^1]);
            Assert.Equal(n, skf.FragmentNumber);
            Assert.Equal(n == 1 ? PayloadType.IdentificationResponder : PayloadType.None, skf.FirstInnerPayload);
            Assert.True(EncryptedMessageLayout.TryLocate(buffer, out var located));
            Assert.Equal(regions, located);
        }
    }

    [Fact]
    public void Notify_helpers_read_back_what_they_build()
    {
        Assert.True(NotifyPayload.SignatureHashAlgorithms([SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_512])
            .TryGetSignatureHashAlgorithms(out var algs));
        Assert.Equal([SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_512], algs);

        var redirect = NotifyPayload.Redirect(GatewayIdentity.FromAddress(IPAddress.Parse("192.0.2.9")), TestData.Bytes(16, 1));
        Assert.True(redirect.TryGetRedirect(out var gw, out var nonce));
        Assert.Equal("192.0.2.9", gw.ToString());
        Assert.Equal(TestData.Bytes(16, 1), nonce.ToArray());

        Assert.True(NotifyPayload.InvalidKe(KeyExchangeGroup.Curve25519).TryGetInvalidKeGroup(out var g));
        Assert.Equal(KeyExchangeGroup.Curve25519, g);

        Assert.True(NotifyPayload.AdditionalAddress(IPAddress.Parse("2001:db8::1")).TryGetAddress(out var a));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), a);

        // RFC 7296 §2.23: SHA-1 of SPIi | SPIr | address | port, 20 bytes.
        var hash = NotifyPayload.ComputeNatDetectionHash(1, 2, IPAddress.Parse("10.0.0.1"), 4500);
        byte[] input = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 10, 0, 0, 1, 0x11, 0x94];
        Assert.Equal(System.Security.Cryptography.SHA1.HashData(input), hash);
    }

    [Fact]
    public void Configuration_and_selector_helpers_read_back()
    {
        var cp = (ConfigurationPayload)TestData.AuthResponseInner().Single(p => p is ConfigurationPayload);
        Assert.True(cp.Attributes[0].TryGetAddress(out var addr));
        Assert.Equal(IPAddress.Parse("10.10.0.2"), addr);
        Assert.True(cp.Attributes[4].TryGetIp4Subnet(out var net, out var mask));
        Assert.Equal(IPAddress.Parse("10.10.0.0"), net);
        Assert.Equal(IPAddress.Parse("255.255.0.0"), mask);
        Assert.True(cp.Attributes[5].TryGetIp6Prefix(out var v6, out var prefix));
        Assert.Equal(IPAddress.Parse("fd00::2"), v6);
        Assert.Equal(64, prefix);
        Assert.Equal("Gateway 1.0", cp.Attributes[7].GetString());

        var ts = TrafficSelector.FromRange(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("10.255.255.255"), 17, 53, 53);
        Assert.Equal(IPAddress.Parse("10.255.255.255"), ts.End);
        Assert.Equal(TrafficSelectorType.Ipv4AddressRange, ts.SelectorType);
        Assert.Equal(TrafficSelectorType.Ipv6AddressRange, TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetworkV6).SelectorType);
    }

    [Fact]
    public void Transform_key_length_helper_and_tlv_attributes_round_trip()
    {
        var t = new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc,
            [TransformAttribute.Tv(TransformAttributeType.KeyLength, 256), TransformAttribute.Tlv(99, new byte[] { 1, 2, 3 })]);
        Assert.Equal((ushort)256, t.KeyLength);
        var message = IkeMessage.Create(TestData.Header(ExchangeType.IkeSaInit, false, 0),
            [new SecurityAssociationPayload([new Proposal(1, ProtocolId.Ike, default, [t])])]);
        var parsed = IkeMessage.Parse(message.ToArray());
        Assert.True(parsed.IsSuccess, parsed.ToString());
        DeepEqual.AssertEqual(message, parsed.Value);
    }

    [Fact]
    public void Unknown_non_critical_payload_is_kept_raw_and_critical_bit_round_trips()
    {
        var message = IkeMessage.Create(TestData.Header(ExchangeType.Informational, false, 2), [
            new UnknownPayload((PayloadType)49, TestData.Bytes(5, 1)),
            new VendorIdPayload(TestData.Bytes(4, 2)) { Critical = true },
        ]);
        var bytes = message.ToArray();
        var parsed = IkeMessage.Parse(bytes);
        Assert.True(parsed.IsSuccess, parsed.ToString());
        Assert.IsType<UnknownPayload>(parsed.Value!.Payloads[0]);
        Assert.True(parsed.Value.Payloads[1].Critical);
        Assert.Equal(bytes, parsed.Value.ToArray());
    }

    [Fact]
    public void Building_rejects_sk_that_is_not_last()
    {
        var message = new IkeMessage(TestData.Header(ExchangeType.IkeAuth, false, 1),
            [new EncryptedPayload(PayloadType.None, TestData.Bytes(32, 1)), new NoncePayload(TestData.Bytes(16, 1))]);
        Assert.Throws<ArgumentException>(() => message.ToArray());
    }
}
