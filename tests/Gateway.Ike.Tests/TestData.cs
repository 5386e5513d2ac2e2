using System.Net;
using System.Net.Sockets;

namespace Gateway.Ike.Tests;

/// <summary>Hand-built messages covering every payload type, shared by the tests and the hand-made hex fixtures.</summary>
internal static class TestData
{
    public const ulong Spii = 0x1122334455667788;
    public const ulong Spir = 0x99AABBCCDDEEFF00;

    public static byte[] Bytes(int length, byte seed)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
            b[i] = (byte)(seed + i * 7);
        return b;
    }

    public static IkeHeader Header(ExchangeType exchange, bool response, uint messageId, ulong spir = Spir) =>
        IkeHeader.Create(Spii, response ? spir : (exchange == ExchangeType.IkeSaInit ? 0 : spir), exchange,
            response ? IkeHeaderFlags.Response : IkeHeaderFlags.Initiator, messageId);

    public static SecurityAssociationPayload IkeSa() => new([
        ProposalSyntax.Parse("aes128-aes256-sha256-sha1-modp2048-ecp256-curve25519", ProtocolId.Ike, 1).Proposal!,
        ProposalSyntax.Parse("aes256gcm16-prfsha384-ecp384", ProtocolId.Ike, 2).Proposal!,
    ]);

    public static SecurityAssociationPayload EspSa(uint spi) => new([
        ProposalSyntax.Parse("aes256gcm16-aes128gcm16", ProtocolId.Esp, 1).Proposal! with { Spi = SpiBytes(spi) },
        ProposalSyntax.Parse("aes256-sha256-esn-noesn", ProtocolId.Esp, 2).Proposal! with { Spi = SpiBytes(spi) },
    ]);

    public static byte[] SpiBytes(uint spi) => [(byte)(spi >> 24), (byte)(spi >> 16), (byte)(spi >> 8), (byte)spi];

    /// <summary>IKE_SA_INIT request like strongSwan 5.9.8 sends it.</summary>
    public static IkeMessage SaInitRequest() => IkeMessage.Create(Header(ExchangeType.IkeSaInit, false, 0), [
        IkeSa(),
        new KeyExchangePayload(KeyExchangeGroup.Curve25519, Bytes(32, 1)),
        new NoncePayload(Bytes(32, 2)),
        NotifyPayload.NatDetection(true, NotifyPayload.ComputeNatDetectionHash(Spii, 0, IPAddress.Parse("10.0.0.2"), 500)),
        NotifyPayload.NatDetection(false, NotifyPayload.ComputeNatDetectionHash(Spii, 0, IPAddress.Parse("10.0.0.1"), 500)),
        NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported),
        NotifyPayload.SignatureHashAlgorithms([SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512, SignatureHashAlgorithm.Identity]),
        NotifyPayload.Create(NotifyType.RedirectSupported),
    ]);

    /// <summary>IKE_SA_INIT response with CERTREQ, vendor IDs and MULT_AUTH.</summary>
    public static IkeMessage SaInitResponse() => IkeMessage.Create(Header(ExchangeType.IkeSaInit, true, 0), [
        new SecurityAssociationPayload([new Proposal(1, ProtocolId.Ike, default, [
            Transform.Encryption(EncryptionAlgorithm.AesCbc, 256), Transform.Prf(PseudorandomFunction.HmacSha2_256),
            Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128), Transform.KeyExchange(KeyExchangeGroup.Modp2048)])]),
        new KeyExchangePayload(KeyExchangeGroup.Modp2048, Bytes(256, 3)),
        new NoncePayload(Bytes(32, 4)),
        NotifyPayload.NatDetection(true, Bytes(20, 5)),
        NotifyPayload.NatDetection(false, Bytes(20, 6)),
        new CertificateRequestPayload(CertificateEncoding.X509Signature, Bytes(40, 7)),
        NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported),
        NotifyPayload.Create(NotifyType.MultipleAuthSupported),
        new VendorIdPayload(Bytes(16, 8)),
    ]);

    /// <summary>The plaintext payloads of an IKE_AUTH request (as inside SK), with CP, EAP-less certificate auth.</summary>
    public static IReadOnlyList<Payload> AuthRequestInner() => [
        new IdentificationPayload(true, IdType.Fqdn, "client.example"u8.ToArray()),
        NotifyPayload.Create(NotifyType.InitialContact),
        new CertificatePayload(CertificateEncoding.X509Signature, Bytes(300, 9)),
        new CertificateRequestPayload(CertificateEncoding.X509Signature, Bytes(20, 10)),
        new IdentificationPayload(false, IdType.Ipv4Address, new byte[] { 192, 0, 2, 1 }),
        new AuthenticationPayload(AuthMethod.DigitalSignature, Bytes(64, 11)),
        new ConfigurationPayload(ConfigurationType.Request, [
            ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Address),
            ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Dns),
            ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Address),
            ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Dns)]),
        EspSa(0xC0FFEE01),
        new TrafficSelectorPayload(true, [TrafficSelector.Any(AddressFamily.InterNetwork), TrafficSelector.Any(AddressFamily.InterNetworkV6)]),
        new TrafficSelectorPayload(false, [TrafficSelector.Any(AddressFamily.InterNetwork)]),
        NotifyPayload.Create(NotifyType.MobikeSupported),
        NotifyPayload.Create(NotifyType.NoAdditionalAddresses),
        NotifyPayload.Create(NotifyType.EspTfcPaddingNotSupported),
        NotifyPayload.Create(NotifyType.NonFirstFragmentsAlso),
    ];

    /// <summary>The plaintext payloads of an IKE_AUTH response handing out an address.</summary>
    public static IReadOnlyList<Payload> AuthResponseInner() => [
        new IdentificationPayload(false, IdType.DerAsn1Dn, Bytes(40, 12)),
        new AuthenticationPayload(AuthMethod.RsaDigitalSignature, Bytes(256, 13)),
        new EapPayload(new byte[] { 1, 7, 0, 5, 1 }),
        new ConfigurationPayload(ConfigurationType.Reply, [
            ConfigurationAttribute.InternalIp4Address(IPAddress.Parse("10.10.0.2")),
            ConfigurationAttribute.InternalIp4Netmask(IPAddress.Parse("255.255.255.0")),
            ConfigurationAttribute.InternalIp4Dns(IPAddress.Parse("10.10.0.1")),
            ConfigurationAttribute.InternalIp4Nbns(IPAddress.Parse("10.10.0.1")),
            ConfigurationAttribute.InternalIp4Subnet(IPAddress.Parse("10.10.0.0"), IPAddress.Parse("255.255.0.0")),
            ConfigurationAttribute.InternalIp6Address(IPAddress.Parse("fd00::2"), 64),
            ConfigurationAttribute.InternalIp6Subnet(IPAddress.Parse("fd00::"), 48),
            ConfigurationAttribute.ApplicationVersion("Gateway 1.0")]),
        new SecurityAssociationPayload([new Proposal(1, ProtocolId.Esp, SpiBytes(0xCAFE0001), [
            Transform.Encryption(EncryptionAlgorithm.AesGcm16, 256), Transform.Esn(ExtendedSequenceNumbers.No)])]),
        new TrafficSelectorPayload(true, [TrafficSelector.ForHost(IPAddress.Parse("10.10.0.2"))]),
        new TrafficSelectorPayload(false, [TrafficSelector.FromRange(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("10.255.255.255"), 6, 80, 443)]),
        NotifyPayload.Create(NotifyType.AuthLifetime, new byte[] { 0, 0, 0x0E, 0x10 }),
    ];

    /// <summary>IKE_AUTH request with an opaque SK body.</summary>
    public static IkeMessage AuthRequestEncrypted() => IkeMessage.Create(Header(ExchangeType.IkeAuth, false, 1),
        [new EncryptedPayload(PayloadType.IdentificationInitiator, Bytes(16 + 480 + 16, 14))]);

    /// <summary>First of three SKF fragments, preceded by nothing (RFC 7383).</summary>
    public static IkeMessage AuthResponseFragment() => IkeMessage.Create(Header(ExchangeType.IkeAuth, true, 1),
        [new EncryptedFragmentPayload(PayloadType.IdentificationResponder, 1, 3, Bytes(16 + 400 + 16, 15))]);

    /// <summary>INFORMATIONAL carrying a delete of an IKE SA and of two ESP SAs, a vendor ID and an unknown payload.</summary>
    public static IkeMessage InformationalPlain() => IkeMessage.Create(Header(ExchangeType.Informational, false, 5), [
        new DeletePayload(ProtocolId.Ike, []),
        new DeletePayload(ProtocolId.Esp, [0xC0FFEE01, 0xC0FFEE02]),
        NotifyPayload.CreateForChild(NotifyType.RekeySa, ProtocolId.Esp, 0xC0FFEE03),
        NotifyPayload.Redirect(GatewayIdentity.FromFqdn("gw2.example"), Bytes(32, 16)),
        NotifyPayload.AdditionalAddress(IPAddress.Parse("198.51.100.7")),
        NotifyPayload.InvalidKe(KeyExchangeGroup.Ecp256),
        new UnknownPayload((PayloadType)200, Bytes(9, 17)),
        new VendorIdPayload(Bytes(20, 18)),
    ]);

    /// <summary>Every sample, by fixture name.</summary>
    public static IReadOnlyList<(string Name, IkeMessage Message)> All() => [
        ("ike_sa_init-request", SaInitRequest()),
        ("ike_sa_init-response", SaInitResponse()),
        ("ike_auth-request-plain", IkeMessage.Create(Header(ExchangeType.IkeAuth, false, 1), AuthRequestInner())),
        ("ike_auth-response-plain", IkeMessage.Create(Header(ExchangeType.IkeAuth, true, 1), AuthResponseInner())),
        ("ike_auth-request-sk", AuthRequestEncrypted()),
        ("ike_auth-response-skf", AuthResponseFragment()),
        ("informational-plain", InformationalPlain()),
    ];
}
