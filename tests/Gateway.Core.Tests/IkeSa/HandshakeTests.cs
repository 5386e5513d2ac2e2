using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

public sealed class HandshakeTests
{
    private static void AssertKeysMirror(ChildSaInstallation sa, ChildSaKeys initiatorKeys)
    {
        Assert.Equal(initiatorKeys.EncryptionInitiatorToResponder, sa.InboundEncryptionKey);
        Assert.Equal(initiatorKeys.IntegrityInitiatorToResponder, sa.InboundIntegrityKey);
        Assert.Equal(initiatorKeys.EncryptionResponderToInitiator, sa.OutboundEncryptionKey);
        Assert.Equal(initiatorKeys.IntegrityResponderToInitiator, sa.OutboundIntegrityKey);
    }

    [Fact]
    public void Psk_handshake_establishes_the_SA_and_the_first_child()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        var (step, init) = client.SaInit("aes256-sha256-modp2048");
        Assert.NotNull(client.Keys);
        Assert.Contains(step.Timers, t => t.Key == ResponderOptions.HalfOpenTimerKey && t.After is not null);
        Assert.NotNull(init!.FindNotify(NotifyType.SignatureHashAlgorithms));
        Assert.Null(init.FindNotify(NotifyType.Ikev2FragmentationSupported));
        Assert.NotNull(init.Find<CertificateRequestPayload>());

        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, TestInitiator.AddressRequest()));
        Assert.NotNull(round.Find<AuthenticationPayload>());
        Assert.Equal(IkeSaPhase.Established, sa.Phase);
        var established = round.Step.Single<IkeSaEstablished>();
        Assert.Equal(TestGateway.PskIdentity, established.PeerIdentity);
        var child = round.Step.Single<ChildSaEstablished>().Sa;
        Assert.Equal(0xC0FFEE01u, child.OutboundSpi);
        Assert.Equal(EncryptionAlgorithm.AesCbc, child.Encryption);
        Assert.Equal(256, child.EncryptionKeyBits);
        Assert.Equal(IntegrityAlgorithm.HmacSha2_256_128, child.Integrity);
        Assert.False(child.UdpEncapsulated);
        AssertKeysMirror(child, client.DeriveChildKeys(round.Response!));
        Assert.Contains(round.Step.Timers, t => t.Key == ResponderOptions.HalfOpenTimerKey && t.After is null);
        Assert.False(round.Step.Terminated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Certificate_handshake_with_rsa_and_ecdsa_client_certificates(bool ecdsa)
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-ecp256");
        var certificate = ecdsa ? TestPki.ClientEcdsa : TestPki.ClientRsa;
        var round = client.AuthenticateWithCertificate(certificate, TestPki.Ca.Certificate,
            TestInitiator.ChildPayloads("aes256gcm16", 0x1000, TestInitiator.AddressRequest()));
        Assert.Null(round.Notify(NotifyType.AuthenticationFailed));
        Assert.NotNull(round.Find<CertificatePayload>());
        var established = round.Step.Single<IkeSaEstablished>();
        Assert.Equal(certificate.Certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false),
            established.PeerIdentity);
        var child = round.Step.Single<ChildSaEstablished>().Sa;
        Assert.Equal(EncryptionAlgorithm.AesGcm16, child.Encryption);
        AssertKeysMirror(child, client.DeriveChildKeys(round.Response!));
    }

    [Theory]
    [InlineData(true, AuthMethod.DigitalSignature)]
    [InlineData(false, AuthMethod.EcdsaSha256P256)]
    public void Ecdsa_gateway_signs_with_method_14_or_the_classic_method(bool announce, AuthMethod expected)
    {
        var gateway = new TestGateway(TestGateway.CreatePolicy(TestPki.GatewayEcdsa));
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa) { AnnounceSignatureHashes = announce };
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithCertificate(TestPki.ClientRsa, TestPki.Ca.Certificate,
            TestInitiator.ChildPayloads("aes256-sha256", 0x1001, TestInitiator.AddressRequest()));
        Assert.Equal(expected, round.Find<AuthenticationPayload>()!.Method);
        round.Step.Single<ChildSaEstablished>();
    }

    [Fact]
    public void Rsa_gateway_uses_method_1_when_the_peer_announces_no_hashes()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa) { AnnounceSignatureHashes = false };
        client.SaInit("3des-sha1-modp1024");
        var rounds = client.AuthenticateWithEap(TestInitiator.Id("alice"), TestGateway.EapUser, TestGateway.EapPassword,
            TestInitiator.ChildPayloads("aes256-sha1", 0x2000, TestInitiator.AddressRequest()), TestPki.Ca.Certificate);
        Assert.Equal(AuthMethod.RsaDigitalSignature, rounds[0].Find<AuthenticationPayload>()!.Method);
        rounds[^1].Step.Single<ChildSaEstablished>();
    }

    [Fact]
    public void Eap_with_a_name_as_IDi_starts_MSCHAPv2_straight_away()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes128gcm16-prfsha256-x25519");
        var rounds = client.AuthenticateWithEap(TestInitiator.Id("alice"), TestGateway.EapUser, TestGateway.EapPassword,
            TestInitiator.ChildPayloads("aes256-sha256", 0x2001, TestInitiator.AddressRequest()), TestPki.Ca.Certificate);
        Assert.Equal((byte)Gateway.Crypto.Eap.EapType.MsChapV2, rounds[0].Find<EapPayload>()!.MethodType);
        // Challenge, response → success request, success response → EAP-Success, AUTH → final.
        Assert.Equal(4, rounds.Count);
        var last = rounds[^1];
        Assert.Equal(TestGateway.EapUser, last.Step.Single<IkeSaEstablished>().PeerIdentity);
        AssertKeysMirror(last.Step.Single<ChildSaEstablished>().Sa, client.DeriveChildKeys(last.Response!));
    }

    [Fact]
    public void Windows_like_client_with_an_address_as_IDi_gets_an_EAP_Identity_round()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa, new IPEndPoint(IPAddress.Parse("192.0.2.77"), 4500), new IPEndPoint(IPAddress.Parse("198.51.100.1"), 4500))
        {
            AnnounceSignatureHashes = false,
        };
        client.SaInit("3des-sha1-modp1024");
        var rounds = client.AuthenticateWithEap(TestInitiator.Id("192.0.2.77"), TestGateway.EapUser, TestGateway.EapPassword,
            TestInitiator.ChildPayloads("aes256-sha1", 0x2002, TestInitiator.AddressRequest(v6: false)), TestPki.Ca.Certificate);
        Assert.Equal((byte)Gateway.Crypto.Eap.EapType.Identity, rounds[0].Find<EapPayload>()!.MethodType);
        Assert.Equal(5, rounds.Count);
        var last = rounds[^1];
        var child = last.Step.Single<ChildSaEstablished>().Sa;
        Assert.Equal(EncryptionAlgorithm.AesCbc, child.Encryption);
        Assert.Equal(IntegrityAlgorithm.HmacSha1_96, child.Integrity);
        Assert.True(child.UdpEncapsulated, "the peer talks to port 4500");
        AssertKeysMirror(child, client.DeriveChildKeys(last.Response!));
        var cp = last.Find<ConfigurationPayload>()!;
        Assert.Equal(ConfigurationType.Reply, cp.ConfigurationType);
        Assert.Contains(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp4Address);
        Assert.DoesNotContain(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp6Address);
    }

    [Fact]
    public void Nat_detected_from_the_hashes_makes_the_child_udp_encapsulated()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa) { PretendBehindNat = true };
        client.SaInit("aes256-sha256-modp2048");
        Assert.True(sa.Nat.PeerBehindNat);
        Assert.False(sa.Nat.LocalBehindNat);
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0x3000, TestInitiator.AddressRequest()));
        Assert.True(round.Step.Single<ChildSaEstablished>().Sa.UdpEncapsulated);
    }

    [Fact]
    public void Virtual_addresses_and_dns_are_assigned_and_sticky_per_identity()
    {
        var gateway = new TestGateway();
        IReadOnlyList<IPAddress> Connect(string user)
        {
            using var sa = gateway.NewSa();
            using var client = new TestInitiator(sa);
            client.SaInit("aes256-sha256-modp2048");
            var rounds = client.AuthenticateWithEap(TestInitiator.Id(user), TestGateway.EapUser, TestGateway.EapPassword,
                TestInitiator.ChildPayloads("aes256-sha256", 0x4000, TestInitiator.AddressRequest()), TestPki.Ca.Certificate);
            var last = rounds[^1];
            var cp = last.Find<ConfigurationPayload>()!;
            Assert.Contains(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp4Dns);
            Assert.Contains(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp6Dns);
            var addresses = last.Step.Single<IkeSaEstablished>().VirtualAddresses;
            Assert.Equal(addresses, last.Step.Single<ChildSaEstablished>().Sa.RemoteInnerAddresses);
            var tsi = last.Response!.OfType<TrafficSelectorPayload>().Single(t => t.IsInitiator);
            Assert.All(tsi.Selectors, s => Assert.Equal(s.Start, s.End));
            sa.Handle(new CloseRequested("test", DateTime.UtcNow));
            return addresses;
        }
        var first = Connect("alice");
        Assert.Equal(2, first.Count);
        Assert.True(IPNetwork.Parse("10.77.0.0/24").Contains(first[0]));
        Assert.True(IPNetwork.Parse("fd77::/120").Contains(first[1]));
        Assert.Equal(first, Connect("alice"));
    }

    [Fact]
    public void Traffic_selectors_are_narrowed_to_the_protected_subnets()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var tsr = new[] { TrafficSelector.FromRange(IPAddress.Parse("10.10.0.128"), IPAddress.Parse("10.20.0.0")) };
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0x5000, TestInitiator.AddressRequest(v6: false), tsr: tsr));
        var narrowed = round.Response!.OfType<TrafficSelectorPayload>().Single(t => !t.IsInitiator).Selectors.Single();
        Assert.Equal(IPAddress.Parse("10.10.0.128"), narrowed.Start);
        Assert.Equal(IPAddress.Parse("10.10.0.255"), narrowed.End);
        var tsi = round.Response!.OfType<TrafficSelectorPayload>().Single(t => t.IsInitiator).Selectors.Single();
        Assert.Equal(round.Step.Single<IkeSaEstablished>().VirtualAddresses.Single(), tsi.Start);
    }

    [Fact]
    public void Without_CP_the_initiator_selectors_are_kept_as_proposed()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var tsi = new[] { TrafficSelector.ForHost(IPAddress.Parse("192.168.5.5")) };
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0x5001, cp: null, tsi: tsi));
        Assert.Null(round.Find<ConfigurationPayload>());
        Assert.Equal(IPAddress.Parse("192.168.5.5"), round.Response!.OfType<TrafficSelectorPayload>().Single(t => t.IsInitiator).Selectors.Single().Start);
        Assert.Equal([IPAddress.Parse("192.168.5.5")], round.Step.Single<ChildSaEstablished>().Sa.RemoteInnerAddresses);
    }

    [Fact]
    public void Disjoint_traffic_selectors_get_TS_UNACCEPTABLE_but_the_IKE_SA_stays()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var tsr = new[] { TrafficSelector.FromRange(IPAddress.Parse("172.16.0.0"), IPAddress.Parse("172.16.255.255")) };
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0x5002, TestInitiator.AddressRequest(), tsr: tsr));
        Assert.NotNull(round.Notify(NotifyType.TsUnacceptable));
        Assert.Empty(round.Step.All<ChildSaEstablished>());
        Assert.False(round.Step.Terminated);
        Assert.Equal(IkeSaPhase.Established, sa.Phase);
        Assert.Equal(0, gateway.Services.EspSpisInUse);
    }

    [Fact]
    public void Unacceptable_esp_proposal_gets_NO_PROPOSAL_CHOSEN_for_the_child()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes128-sha256", 0x5003, TestInitiator.AddressRequest()));
        Assert.NotNull(round.Notify(NotifyType.NoProposalChosen));
        Assert.Equal(IkeSaPhase.Established, sa.Phase);
    }

    [Fact]
    public void Wrong_KE_group_gets_INVALID_KE_PAYLOAD_then_the_right_group_succeeds()
    {
        var gateway = new TestGateway(TestGateway.CreatePolicy(ike: ["aes256-sha256-modp2048"]));
        using (var first = gateway.NewSa())
        using (var client = new TestInitiator(first))
        {
            var (step, response) = client.SaInit("aes256-sha256-x25519-modp2048", KeyExchangeGroup.Curve25519);
            Assert.True(step.Terminated);
            Assert.True(response!.FindNotify(NotifyType.InvalidKePayload)!.TryGetInvalidKeGroup(out var wanted));
            Assert.Equal(KeyExchangeGroup.Modp2048, wanted);
            Assert.Equal(0ul, response.Header.ResponderSpi);
            Assert.Equal(IkeSaPhase.Terminated, first.Phase);
        }
        using var second = gateway.NewSa();
        using var retry = new TestInitiator(second);
        retry.SaInit("aes256-sha256-x25519-modp2048", KeyExchangeGroup.Modp2048);
        Assert.NotNull(retry.Keys);
        retry.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0x6000, TestInitiator.AddressRequest())).Step.Single<ChildSaEstablished>();
    }

    [Fact]
    public void The_peers_KE_group_is_taken_when_acceptable_in_the_selected_proposal()
    {
        var gateway = new TestGateway(TestGateway.CreatePolicy(ike: ["aes256-sha256-modp2048-ecp256"]));
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        var (_, response) = client.SaInit("aes256-sha256-ecp256-modp2048", KeyExchangeGroup.Ecp256);
        Assert.Equal(KeyExchangeGroup.Ecp256, response!.Find<KeyExchangePayload>()!.Group);
    }

    [Fact]
    public void No_common_IKE_proposal_gets_NO_PROPOSAL_CHOSEN()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        var (step, response) = client.SaInit("aes128-md5-modp1536");
        Assert.NotNull(response!.FindNotify(NotifyType.NoProposalChosen));
        Assert.True(step.Terminated);
    }
}
