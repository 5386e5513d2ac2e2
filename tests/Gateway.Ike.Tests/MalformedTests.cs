using System.Buffers.Binary;

namespace Gateway.Ike.Tests;

/// <summary>One test per defect: each gives its typed error, never an exception.</summary>
public class MalformedTests
{
    private static byte[] Build(params Payload[] payloads) =>
        IkeMessage.Create(TestData.Header(ExchangeType.IkeSaInit, false, 0), payloads).ToArray();

    private static IkeParseFailure Fails(byte[] bytes, IkeParseError expected)
    {
        var r = IkeMessage.Parse(bytes);
        Assert.False(r.IsSuccess);
        Assert.Null(r.Value);
        Assert.Equal(expected, r.Error);
        return r.Failure;
    }

    /// <summary>Body offset of the first payload (after header + its generic header).</summary>
    private const int Body = 32;

    private static void SetLength(byte[] b, uint length) => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), length);

    [Fact] public void Shorter_than_header() => Fails(new byte[27], IkeParseError.Truncated);

    [Fact]
    public void Header_length_above_datagram()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)));
        Fails(b[..^1], IkeParseError.Truncated);
    }

    [Fact]
    public void Header_length_below_datagram()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)));
        Fails([.. b, 0], IkeParseError.LengthMismatch);
    }

    [Fact]
    public void Header_length_below_28()
    {
        var b = Build();
        SetLength(b, 20);
        Fails(b, IkeParseError.InvalidLength);
    }

    [Fact]
    public void Oversized_message()
    {
        var b = new byte[IkeLimits.MaxMessageLength + 1];
        b[17] = 0x20;
        SetLength(b, (uint)b.Length);
        Fails(b, IkeParseError.MessageTooLarge);
    }

    [Fact]
    public void Major_version_1_and_3()
    {
        var b = Build();
        b[17] = 0x10;
        Fails(b, IkeParseError.UnsupportedMajorVersion);
        b[17] = 0x30;
        Assert.False(IkeHeader.TryParse(b, out var h, out var e));
        Assert.Equal(IkeParseError.UnsupportedMajorVersion, e);
        Assert.Equal((byte)3, h.MajorVersion);
    }

    [Fact]
    public void Payload_length_overruns_message()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(30), 21);
        var f = Fails(b, IkeParseError.InvalidLength);
        Assert.Equal(PayloadType.Nonce, f.PayloadType);
        Assert.Equal(28, f.Offset);
    }

    [Fact]
    public void Payload_length_below_generic_header()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(30), 3);
        Fails(b, IkeParseError.InvalidLength);
    }

    [Fact]
    public void Next_payload_announced_but_no_bytes()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)));
        b[28] = (byte)PayloadType.Notify;
        Fails(b, IkeParseError.Truncated);
    }

    [Fact]
    public void Bytes_after_last_payload()
    {
        var b = Build(new NoncePayload(TestData.Bytes(16, 1)), new VendorIdPayload(TestData.Bytes(4, 1)));
        b[28] = 0; // nonce claims to be last; the vendor ID bytes dangle
        Fails(b, IkeParseError.LengthMismatch);
    }

    [Fact]
    public void Unknown_critical_payload_carries_its_type()
    {
        var b = Build(new UnknownPayload((PayloadType)49, TestData.Bytes(4, 1)) { Critical = true });
        var f = Fails(b, IkeParseError.UnsupportedCriticalPayload);
        Assert.Equal((PayloadType)49, f.PayloadType);
    }

    [Fact]
    public void Body_too_short_for_ke() => Fails(Build(new UnknownPayload(PayloadType.KeyExchange, new byte[3])), IkeParseError.PayloadTooShort);

    [Fact]
    public void Body_too_short_for_notify() => Fails(Build(new UnknownPayload(PayloadType.Notify, new byte[2])), IkeParseError.PayloadTooShort);

    [Fact]
    public void Nonce_too_short() => Fails(Build(new NoncePayload(TestData.Bytes(15, 1))), IkeParseError.InvalidNonceLength);

    private static byte[] SaWith(Proposal p) => Build(new SecurityAssociationPayload([p]));

    private static Proposal Ike(byte number = 1) => ProposalSyntax.Parse("aes128-sha256-modp2048", ProtocolId.Ike, number).Proposal!;

    [Fact]
    public void First_proposal_number_not_one() => Fails(SaWith(Ike(2)), IkeParseError.InvalidProposalNumbering);

    [Fact]
    public void Proposal_number_jumps()
    {
        var b = Build(new SecurityAssociationPayload([Ike(1), Ike(3)]));
        Fails(b, IkeParseError.InvalidProposalNumbering);
        Assert.True(IkeMessage.Parse(Build(new SecurityAssociationPayload([Ike(1), Ike(1), Ike(2)]))).IsSuccess);
    }

    [Fact]
    public void Response_sa_may_echo_any_accepted_proposal_number()
    {
        var sa = new SecurityAssociationPayload([Ike(3)]);
        var response = IkeMessage.Create(TestData.Header(ExchangeType.IkeSaInit, true, 0), [sa]).ToArray();
        Assert.True(IkeMessage.Parse(response).IsSuccess);
        var inner = new byte[PayloadChain.GetSize([sa])];
        PayloadChain.Write(inner, [sa]);
        Assert.True(PayloadChain.Parse(PayloadType.SecurityAssociation, inner, isResponse: true).IsSuccess);
        Assert.Equal(IkeParseError.InvalidProposalNumbering, PayloadChain.Parse(PayloadType.SecurityAssociation, inner).Error);
        var zero = IkeMessage.Create(TestData.Header(ExchangeType.IkeSaInit, true, 0), [new SecurityAssociationPayload([Ike(0)])]).ToArray();
        Fails(zero, IkeParseError.InvalidProposalNumbering);
    }

    [Fact]
    public void Empty_sa() => Fails(Build(new SecurityAssociationPayload([])), IkeParseError.ProposalCountMismatch);

    [Fact]
    public void Proposal_says_more_follow_but_none_do()
    {
        var b = SaWith(Ike());
        b[Body] = 2;
        Fails(b, IkeParseError.ProposalCountMismatch);
    }

    [Fact]
    public void Transform_count_too_high()
    {
        var b = SaWith(Ike());
        b[Body + 7]++;
        Fails(b, IkeParseError.TransformCountMismatch);
    }

    [Fact]
    public void Transform_count_too_low()
    {
        var b = SaWith(Ike());
        b[Body + 7]--;
        Fails(b, IkeParseError.TransformCountMismatch);
    }

    [Fact]
    public void Ike_proposal_with_4_byte_spi() =>
        Fails(SaWith(Ike() with { Spi = new byte[4] }), IkeParseError.InvalidSpiSize);

    [Fact]
    public void Esp_proposal_without_spi() =>
        Fails(SaWith(ProposalSyntax.Parse("aes128-sha1", ProtocolId.Esp).Proposal!), IkeParseError.InvalidSpiSize);

    [Fact]
    public void Proposal_protocol_unknown() => Fails(SaWith(Ike() with { Protocol = (ProtocolId)9 }), IkeParseError.InvalidProtocolId);

    [Fact]
    public void Key_length_in_tlv_form() => Fails(SaWith(new Proposal(1, ProtocolId.Ike, default,
        [new Transform(TransformType.Encryption, 12, [TransformAttribute.Tlv(14, new byte[] { 1, 0 })])])), IkeParseError.InvalidAttribute);

    [Fact]
    public void Attribute_overruns_transform()
    {
        var b = SaWith(new Proposal(1, ProtocolId.Ike, default,
            [new Transform(TransformType.Encryption, 12, [TransformAttribute.Tlv(99, new byte[] { 1, 2 })])]));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(Body + 8 + 8 + 2), 3);
        Fails(b, IkeParseError.InvalidAttribute);
    }

    [Fact]
    public void Too_many_proposals() =>
        Fails(Build(new SecurityAssociationPayload([.. Enumerable.Range(1, IkeLimits.MaxProposals + 1).Select(i => Ike((byte)i))])),
            IkeParseError.TooManyElements);

    [Fact]
    public void Too_many_payloads() =>
        Fails(Build([.. Enumerable.Range(0, IkeLimits.MaxPayloads + 1).Select(_ => new VendorIdPayload(new byte[1]))]), IkeParseError.TooManyPayloads);

    [Fact]
    public void Traffic_selector_wrong_length()
    {
        var b = Build(new TrafficSelectorPayload(true, [TrafficSelector.ForHost(System.Net.IPAddress.Loopback)]));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(Body + 4 + 2), 40);
        Fails(b, IkeParseError.InvalidTrafficSelector);
    }

    [Fact]
    public void Traffic_selector_unknown_type()
    {
        var b = Build(new TrafficSelectorPayload(true, [TrafficSelector.ForHost(System.Net.IPAddress.Loopback)]));
        b[Body + 4] = 9;
        Fails(b, IkeParseError.InvalidTrafficSelector);
    }

    [Fact]
    public void Traffic_selector_count_mismatch()
    {
        var b = Build(new TrafficSelectorPayload(true, [TrafficSelector.ForHost(System.Net.IPAddress.Loopback)]));
        b[Body] = 2;
        Fails(b, IkeParseError.InvalidTrafficSelector);
    }

    [Fact]
    public void Delete_esp_with_wrong_spi_size()
    {
        var b = Build(new DeletePayload(ProtocolId.Esp, [1u]));
        b[Body + 1] = 8;
        Fails(b, IkeParseError.InvalidSpiSize);
    }

    [Fact]
    public void Delete_spi_count_disagrees_with_length()
    {
        var b = Build(new DeletePayload(ProtocolId.Esp, [1u, 2u]));
        b[Body + 3] = 3;
        Fails(b, IkeParseError.LengthMismatch);
    }

    [Fact]
    public void Notify_spi_overruns() 
    {
        var b = Build(NotifyPayload.Create(NotifyType.Cookie, new byte[2]));
        b[Body + 1] = 9;
        Fails(b, IkeParseError.InvalidSpiSize);
    }

    [Fact]
    public void Cp_attribute_with_wrong_address_length() =>
        Fails(Build(new ConfigurationPayload(ConfigurationType.Reply, [new ConfigurationAttribute(1, new byte[5])])), IkeParseError.InvalidAttribute);

    [Fact]
    public void Eap_length_disagrees() => Fails(Build(new EapPayload(new byte[] { 1, 1, 0, 9, 1 })), IkeParseError.InvalidEapMessage);

    [Fact]
    public void Skf_fragment_number_above_total() =>
        Fails(Build(new EncryptedFragmentPayload(PayloadType.None, 3, 2, new byte[8])), IkeParseError.InvalidFragmentNumber);

    [Fact]
    public void Sk_followed_by_payload_bytes_is_misplaced()
    {
        var vendorFirst = Build(new VendorIdPayload(new byte[4]), new EncryptedPayload(PayloadType.None, new byte[8]));
        // Swap roles: make the first payload an SK whose length stops before the message end.
        vendorFirst[16] = (byte)PayloadType.Encrypted;
        var f = Fails(vendorFirst, IkeParseError.MisplacedEncryptedPayload);
        Assert.Equal(PayloadType.Encrypted, f.PayloadType);
    }

    [Fact]
    public void Sk_inside_decrypted_chain()
    {
        var inner = new Payload[] { new EncryptedPayload(PayloadType.None, new byte[4]) };
        var bytes = new byte[PayloadChain.GetSize(inner)];
        PayloadChain.Write(bytes, inner);
        Assert.Equal(IkeParseError.MisplacedEncryptedPayload, PayloadChain.Parse(PayloadType.Encrypted, bytes).Error);
    }
}
