using System.Security.Cryptography;
using System.Text;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Core.Tests.IkeSa;
using Gateway.Crypto.Auth;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Tests.Initiator;

/// <summary>
/// The load generator's cache of validated gateway chains: it saves the chain building, never a check — a chain that
/// does not validate is refused every time, an entry is only used for its own trust anchors and is validated again
/// after its maximum age or once a certificate of it expired, and every AUTH signature is verified.
/// </summary>
public sealed class GatewayCertificateCacheTests
{
    private static readonly HandshakeOctets Octets = new(PseudorandomFunction.HmacSha2_256, Bytes(300), Bytes(300), Bytes(32), Bytes(32), Bytes(32), Bytes(32));
    private static readonly IdentificationPayload Idr = new(false, IdType.Fqdn, Encoding.ASCII.GetBytes(TestPki.GatewayName));

    private static byte[] Bytes(int n) => RandomNumberGenerator.GetBytes(n);

    /// <summary>IDr, CERT and a signature AUTH as the gateway's first IKE_AUTH response carries them.</summary>
    private static List<Payload> Response(IssuedCertificate gateway, HandshakeOctets signed)
    {
        var signature = AuthSignature.Sign(AuthMethod.RsaDigitalSignature, gateway.Key, signed.ForResponder(Idr.GetBodyBytes()));
        return [Idr, new CertificatePayload(CertificateEncoding.X509Signature, gateway.Certificate.RawData),
            new AuthenticationPayload(AuthMethod.RsaDigitalSignature, signature)];
    }

    private static string? Verify(IReadOnlyList<Payload> response, GatewayCertificateCache cache, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2>? cas = null) =>
        GatewayAuthentication.VerifySignature(response, Octets, cas ?? cache.TrustedCas, TestPki.GatewayName, cache);

    [Fact]
    public void A_cached_chain_validates_once_and_every_AUTH_signature_is_still_verified()
    {
        var cache = new GatewayCertificateCache([TestPki.Ca.Certificate]);
        Assert.Null(Verify(Response(TestPki.GatewayRsa, Octets), cache));
        Assert.Null(Verify(Response(TestPki.GatewayRsa, Octets), cache));
        Assert.Equal(1, cache.Validations);

        // Same certificate, cached as trusted: a signature over another handshake's octets, or a flipped bit, fails.
        var otherHandshake = Octets with { NonceI = Bytes(32) };
        Assert.Contains("does not verify", Verify(Response(TestPki.GatewayRsa, otherHandshake), cache));
        var tampered = Response(TestPki.GatewayRsa, Octets);
        var auth = (AuthenticationPayload)tampered[2];
        var flipped = auth.Data.ToArray();
        flipped[^1] ^= 1;
        tampered[2] = auth with { Data = flipped };
        Assert.Contains("does not verify", Verify(tampered, cache));
        Assert.Equal(1, cache.Validations);
    }

    [Fact]
    public void A_certificate_from_a_CA_we_do_not_trust_is_refused_every_time()
    {
        using var untrusted = DevelopmentPki.IssueGatewayCertificate(DevelopmentPki.CreateRootCa("Not Our CA"), TestPki.GatewayName);
        var cache = new GatewayCertificateCache([TestPki.Ca.Certificate]);
        Assert.Null(Verify(Response(TestPki.GatewayRsa, Octets), cache)); // a trusted one in the cache changes nothing
        Assert.Contains("not trusted", Verify(Response(untrusted, Octets), cache));
        Assert.Contains("not trusted", Verify(Response(untrusted, Octets), cache));
        Assert.Equal(3, cache.Validations);
    }

    [Fact]
    public void A_cache_over_other_trust_anchors_is_not_used()
    {
        var cache = new GatewayCertificateCache([TestPki.Ca.Certificate]);
        Assert.Null(Verify(Response(TestPki.GatewayRsa, Octets), cache));
        using var otherCa = DevelopmentPki.CreateRootCa("Another CA");
        Assert.Contains("not trusted", Verify(Response(TestPki.GatewayRsa, Octets), cache, [otherCa.Certificate]));
        Assert.Equal(1, cache.Validations);
    }

    [Fact]
    public void An_entry_is_validated_again_after_its_maximum_age_and_refused_once_its_certificate_expired()
    {
        var cache = new GatewayCertificateCache([TestPki.Ca.Certificate], maxAge: TimeSpan.FromMinutes(1));
        ReadOnlyMemory<byte>[] chain = [TestPki.GatewayRsa.Certificate.RawData];
        var now = DateTime.UtcNow;
        Assert.NotNull(cache.Find(chain, now, out _));
        Assert.NotNull(cache.Find(chain, now.AddSeconds(59), out _));
        Assert.Equal(1, cache.Validations);
        Assert.NotNull(cache.Find(chain, now.AddSeconds(61), out _));
        Assert.Equal(2, cache.Validations);

        // The gateway certificate is valid for two years: three years on, the cached entry is not used and validation fails.
        Assert.Null(cache.Find(chain, now.AddYears(3), out var problem));
        Assert.Contains("not valid at this time", problem);
        Assert.Equal(3, cache.Validations);
    }

    [Fact]
    public void Other_certificate_bytes_are_validated_on_their_own()
    {
        var cache = new GatewayCertificateCache([TestPki.Ca.Certificate]);
        Assert.Null(Verify(Response(TestPki.GatewayRsa, Octets), cache));
        using var second = DevelopmentPki.IssueGatewayCertificate(TestPki.Ca, TestPki.GatewayName);
        Assert.Null(Verify(Response(second, Octets), cache));
        Assert.Equal(2, cache.Validations);
    }
}
