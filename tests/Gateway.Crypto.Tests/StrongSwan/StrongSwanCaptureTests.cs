using Gateway.Crypto.Auth;
using Gateway.Crypto.Eap;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.StrongSwan;

/// <summary>
/// Real bytes are the truth: for every captured strongSwan scenario, our key schedule must reproduce the keys charon
/// logged, our SK code must open every encrypted message (fragments reassembled) into exactly the payloads charon
/// logged, and our AUTH and MS-CHAPv2 MSK computations must verify what strongSwan sent.
/// </summary>
public class StrongSwanCaptureTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var name in CapturedScenario.Names())
            data.Add(name);
        return data;
    }

    public static TheoryData<string> EapScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var name in CapturedScenario.Names().Where(n => CapturedScenario.Load(n).Keys["auth"] == "eap-mschapv2"))
            data.Add(name);
        return data;
    }

    [Fact]
    public void The_captured_scenarios_are_present()
    {
        Assert.True(CapturedScenario.Names().Count() >= 5, "expected the strongSwan captures under tests/fixtures/strongswan");
        Assert.True(EapScenarios().Count >= 2, "expected EAP-MSCHAPv2 captures");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Our_key_schedule_reproduces_the_keys_strongswan_logged(string name)
    {
        var s = CapturedScenario.Load(name);
        var suite = NegotiatedSuite.Of(s);
        using var keys = suite.DeriveKeys(s);
        Assert.Equal(s.Keys["skeyseed"], Hex(keys.Skeyseed));
        Assert.Equal(s.Keys["sk_d"], Hex(keys.SkD));
        Assert.Equal(s.Keys["sk_ei"], Hex(keys.SkEi));
        Assert.Equal(s.Keys["sk_er"], Hex(keys.SkEr));
        Assert.Equal(s.Keys["sk_pi"], Hex(keys.SkPi));
        Assert.Equal(s.Keys["sk_pr"], Hex(keys.SkPr));
        Assert.Equal(s.Keys.GetValueOrDefault("sk_ai", ""), Hex(keys.SkAi));
        Assert.Equal(s.Keys.GetValueOrDefault("sk_ar", ""), Hex(keys.SkAr));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_encrypted_message_opens_to_the_payloads_strongswan_logged(string name)
    {
        var s = CapturedScenario.Load(name);
        var opened = 0;
        foreach (var m in Decryptor.OpenAll(s))
        {
            Assert.Equal(m.Inner, IkeMessageDescription.Describe(m.First.Message, Decryptor.ParseInner(m)));
            opened++;
        }
        Assert.True(opened >= 2, $"{name}: only {opened} encrypted messages");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_initiators_auth_verifies_with_our_auth_code(string name)
    {
        var s = CapturedScenario.Load(name);
        var suite = NegotiatedSuite.Of(s);
        using var keys = suite.DeriveKeys(s);
        var messages = Decryptor.OpenAll(s).Select(m => (m.First, Payloads: Decryptor.ParseInner(m))).ToList();
        var initRequest = s.Last(ExchangeType.IkeSaInit, response: false);
        var initResponse = s.Last(ExchangeType.IkeSaInit, response: true);
        var nonceR = initResponse.Message.Find<NoncePayload>()!.Data.Span;
        var nonceI = initRequest.Message.Find<NoncePayload>()!.Data.Span;

        var authRequests = messages.Where(m => !m.First.Message.Header.IsResponse && m.Payloads.OfType<AuthenticationPayload>().Any()).ToList();
        var fromInitiator = messages.Where(m => !m.First.Message.Header.IsResponse).SelectMany(m => m.Payloads).ToList();
        var fromResponder = messages.Where(m => m.First.Message.Header.IsResponse).SelectMany(m => m.Payloads).ToList();
        var idi = fromInitiator.OfType<IdentificationPayload>().First(p => p.IsInitiator);
        var clientOctets = SignedOctets.Build(suite.Prf, initRequest.Bytes, nonceR, keys.SkPi, idi.GetBodyBytes());
        var clientAuth = authRequests.Last().Payloads.OfType<AuthenticationPayload>().Single();

        var idr = fromResponder.OfType<IdentificationPayload>().First(p => !p.IsInitiator);
        var gatewayOctets = SignedOctets.Build(suite.Prf, initResponse.Bytes, nonceI, keys.SkPr, idr.GetBodyBytes());
        var gatewayAuth = fromResponder.OfType<AuthenticationPayload>().First();

        switch (s.Keys["auth"])
        {
            case "psk":
                var psk = System.Text.Encoding.UTF8.GetBytes(s.Keys["psk"]);
                Assert.True(SharedKeyAuth.Verify(suite.Prf, psk, clientOctets, clientAuth.Data.Span), "client PSK AUTH");
                Assert.True(SharedKeyAuth.Verify(suite.Prf, psk, gatewayOctets, gatewayAuth.Data.Span), "gateway PSK AUTH");
                break;
            case "eap-mschapv2":
                var msk = s.Key("msk");
                Assert.True(SharedKeyAuth.VerifyForEap(suite.Prf, msk, keys.SkPi, clientOctets, clientAuth.Data.Span), "client EAP AUTH with the MSK");
                VerifyGatewaySignature(fromResponder, gatewayAuth, gatewayOctets);
                break;
            case "cert" or "pubkey":
                VerifyGatewaySignature(fromResponder, gatewayAuth, gatewayOctets);
                var clientCert = fromInitiator.OfType<CertificatePayload>().First();
                using (var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(clientCert.Data.Span))
                    Assert.Equal(AuthVerifyStatus.Valid, AuthSignature.Verify(clientAuth.Method, clientAuth.Data.Span, clientOctets, cert).Status);
                break;
            default:
                Assert.Fail($"{name}: unknown auth kind {s.Keys["auth"]}");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(EapScenarios))]
    public void Our_mschapv2_msk_equals_the_msk_strongswan_derived(string name)
    {
        var s = CapturedScenario.Load(name);
        var eap = Decryptor.OpenAll(s).SelectMany(Decryptor.ParseInner).OfType<EapPayload>()
            .Select(p => EapPacket.Parse(p.Message.Span).Value!)
            .Where(p => p.Type == EapType.MsChapV2)
            .Select(p => (Packet: p, Message: MsChapV2Codec.Parse(p).Value!))
            .ToList();
        var challenge = eap.Select(e => e.Message).OfType<MsChapV2Challenge>().Single();
        var response = eap.Select(e => e.Message).OfType<MsChapV2Response>().Single();
        var passwordHash = MsChapV2Crypto.NtPasswordHash(s.Keys["eap_password"]);
        var expectedNt = MsChapV2Crypto.GenerateNtResponse(challenge.Challenge.Span, response.PeerChallenge.Span, response.Name, passwordHash);
        Assert.Equal(Hex(expectedNt), Hex(response.NtResponse.ToArray()));
        var msk = MsChapV2Crypto.Msk(passwordHash, response.NtResponse.Span, isServer: true);
        Assert.Equal(s.Keys["msk"], Hex(msk));
    }

    private static void VerifyGatewaySignature(IEnumerable<Payload> fromResponder, AuthenticationPayload auth, byte[] octets)
    {
        var certPayload = fromResponder.OfType<CertificatePayload>().First();
        using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certPayload.Data.Span);
        Assert.Equal(AuthVerifyStatus.Valid, AuthSignature.Verify(auth.Method, auth.Data.Span, octets, cert).Status);
    }

    private static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();
}
