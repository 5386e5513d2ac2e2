using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Crypto.Auth;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.X509;

/// <summary>One development PKI shared by the tests (RSA key generation is slow).</summary>
public sealed class PkiFixture : IDisposable
{
    public IssuedCertificate Root { get; } = DevelopmentPki.CreateRootCa();
    public IssuedCertificate OtherRoot { get; } = DevelopmentPki.CreateRootCa("Someone Else's Root", DevelopmentKeyType.EcdsaP256);
    public IssuedCertificate Gateway { get; }
    public IssuedCertificate GatewayEc { get; }
    public IssuedCertificate Client { get; }
    public IssuedCertificate Intermediate { get; }
    public IssuedCertificate LeafOfIntermediate { get; }

    public PkiFixture()
    {
        Gateway = DevelopmentPki.IssueGatewayCertificate(Root, "vpn.example.com");
        GatewayEc = DevelopmentPki.IssueGatewayCertificate(Root, "203.0.113.5", DevelopmentKeyType.EcdsaP256);
        Client = DevelopmentPki.IssueClientCertificate(Root, "alice@example.com", DevelopmentKeyType.EcdsaP256);
        Intermediate = DevelopmentPki.Issue(Root, new CertificateProfile
        {
            Subject = "CN=Gateway Intermediate CA",
            IsCertificateAuthority = true,
            KeyType = DevelopmentKeyType.EcdsaP256,
        });
        LeafOfIntermediate = DevelopmentPki.Issue(Intermediate, new CertificateProfile
        {
            Subject = "CN=vpn2.example.com",
            DnsNames = ["vpn2.example.com"],
            ExtendedKeyUsages = [KeyPurposes.ServerAuthentication, KeyPurposes.IpSecurityIkeIntermediate],
            KeyType = DevelopmentKeyType.EcdsaP256,
        });
    }

    public IssuedCertificate Leaf(CertificateProfile profile) => DevelopmentPki.Issue(Root, profile with { KeyType = DevelopmentKeyType.EcdsaP256 });

    public void Dispose()
    {
        foreach (var c in new[] { Root, OtherRoot, Gateway, GatewayEc, Client, Intermediate, LeafOfIntermediate })
            c.Dispose();
    }
}

public class ChainValidatorTests(PkiFixture pki) : IClassFixture<PkiFixture>
{
    [Fact]
    public void Development_pki_chain_validates()
    {
        var validator = new CertificateChainValidator([pki.Root.Certificate]);
        var result = validator.Validate(pki.Gateway.Certificate);
        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(2, result.Chain.Count);
        Assert.True(validator.Validate(pki.Client.Certificate).IsValid);
    }

    [Fact]
    public void Wrong_root_fails()
    {
        var validator = new CertificateChainValidator([pki.OtherRoot.Certificate]);
        var result = validator.Validate(pki.Gateway.Certificate, [pki.Root.Certificate]);
        Assert.False(result.IsValid);
        Assert.NotEmpty(result.Problems);
    }

    [Fact]
    public void Intermediates_come_from_the_peer()
    {
        var validator = new CertificateChainValidator([pki.Root.Certificate]);
        Assert.True(validator.Validate(pki.LeafOfIntermediate.Certificate, [pki.Intermediate.Certificate]).IsValid);
        var without = validator.Validate(pki.LeafOfIntermediate.Certificate);
        Assert.False(without.IsValid);
        Assert.Contains(without.Problems, p => p.Contains("incomplete") || p.Contains("trusted"));
    }

    [Fact]
    public void Required_eku_is_enforced()
    {
        var clientsOnly = new CertificateChainValidator([pki.Root.Certificate],
            new ChainValidationOptions { RequiredExtendedKeyUsage = KeyPurposes.ClientAuthentication });
        Assert.True(clientsOnly.Validate(pki.Client.Certificate).IsValid);
        var result = clientsOnly.Validate(pki.Gateway.Certificate);
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains("extended key usage"));
    }

    [Fact]
    public void Validity_period_is_enforced()
    {
        var validator = new CertificateChainValidator([pki.Root.Certificate]);
        Assert.False(validator.Validate(pki.Gateway.Certificate, at: DateTimeOffset.UtcNow.AddYears(3)).IsValid);
        Assert.False(validator.Validate(pki.Gateway.Certificate, at: DateTimeOffset.UtcNow.AddDays(-2)).IsValid);
    }

    [Fact]
    public void Signature_auth_verifies_against_the_certificate()
    {
        var octets = Encoding.ASCII.GetBytes("signed octets");
        var auth = AuthSignature.Sign(AuthMethod.DigitalSignature, pki.Gateway.Key, octets);
        using var publicOnly = X509CertificateLoader.LoadCertificate(pki.Gateway.Certificate.RawData);
        Assert.True(AuthSignature.Verify(AuthMethod.DigitalSignature, auth, octets, publicOnly).IsValid);
        Assert.False(AuthSignature.Verify(AuthMethod.DigitalSignature, auth, octets, pki.Client.Certificate).IsValid);
    }
}

public class IdentityMatchingTests(PkiFixture pki) : IClassFixture<PkiFixture>
{
    [Theory]
    [InlineData("vpn.example.com", "vpn.example.com", true)]
    [InlineData("VPN.Example.COM", "vpn.example.com", true)]
    [InlineData("vpn.example.com.", "vpn.example.com", true)]
    [InlineData("*.example.com", "vpn.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("v*.example.com", "vpn.example.com", false)]
    [InlineData("vpn.*.com", "vpn.example.com", false)]
    [InlineData("*.com", "example.com", false)]
    [InlineData("vpn.example.com", "vpn.example.org", false)]
    [InlineData("vpn.example.com", "*.example.com", false)]
    public void Dns_name_rules(string pattern, string name, bool expected) =>
        Assert.Equal(expected, CertificateIdentity.DnsNameMatches(pattern, name));

    [Fact]
    public void Fqdn_matches_san_and_not_cn_when_a_dns_san_exists()
    {
        using var cert = pki.Leaf(new CertificateProfile { Subject = "CN=legacy.example.com", DnsNames = ["*.example.net", "vpn.example.com"] });
        Assert.True(CertificateIdentity.Matches(cert.Certificate, IdType.Fqdn, "vpn.example.com"u8));
        Assert.True(CertificateIdentity.Matches(cert.Certificate, IdType.Fqdn, "gw.example.net"u8));
        Assert.False(CertificateIdentity.Matches(cert.Certificate, IdType.Fqdn, "legacy.example.com"u8));
    }

    [Fact]
    public void Fqdn_falls_back_to_cn_without_dns_san()
    {
        using var cert = pki.Leaf(new CertificateProfile { Subject = "CN=legacy.example.com, O=Example", EmailAddresses = ["ops@example.com"] });
        Assert.True(CertificateIdentity.Matches(cert.Certificate, IdType.Fqdn, "legacy.example.com"u8));
        Assert.False(CertificateIdentity.Matches(cert.Certificate, IdType.Fqdn, "other.example.com"u8));
    }

    [Fact]
    public void Email_ip_and_dn()
    {
        Assert.True(CertificateIdentity.Matches(pki.Client.Certificate, IdType.Rfc822Address, "Alice@Example.com"u8));
        Assert.False(CertificateIdentity.Matches(pki.Client.Certificate, IdType.Rfc822Address, "bob@example.com"u8));
        // The CN fallback is for host names: an e-mail CN is not one.
        Assert.False(CertificateIdentity.Matches(pki.Client.Certificate, IdType.Fqdn, "alice@example.com"u8));

        Assert.True(CertificateIdentity.Matches(pki.GatewayEc.Certificate, IdType.Ipv4Address, IPAddress.Parse("203.0.113.5").GetAddressBytes()));
        Assert.False(CertificateIdentity.Matches(pki.GatewayEc.Certificate, IdType.Ipv4Address, IPAddress.Parse("203.0.113.6").GetAddressBytes()));
        Assert.False(CertificateIdentity.Matches(pki.GatewayEc.Certificate, IdType.Ipv4Address, [1, 2, 3]));

        using var v6 = pki.Leaf(new CertificateProfile { Subject = "CN=v6", IpAddresses = [IPAddress.Parse("2001:db8::1")] });
        Assert.True(CertificateIdentity.Matches(v6.Certificate, IdType.Ipv6Address, IPAddress.Parse("2001:db8::1").GetAddressBytes()));
        Assert.False(CertificateIdentity.Matches(v6.Certificate, IdType.Ipv6Address, IPAddress.Parse("2001:db8::2").GetAddressBytes()));

        Assert.True(CertificateIdentity.Matches(pki.Gateway.Certificate, IdType.DerAsn1Dn, pki.Gateway.Certificate.SubjectName.RawData));
        Assert.False(CertificateIdentity.Matches(pki.Gateway.Certificate, IdType.DerAsn1Dn, pki.Client.Certificate.SubjectName.RawData));
        Assert.False(CertificateIdentity.Matches(pki.Gateway.Certificate, IdType.DerAsn1Dn, [0x30, 0x05, 1]));
        Assert.False(CertificateIdentity.Matches(pki.Gateway.Certificate, IdType.KeyId, [1]));
    }

    [Fact]
    public void Names_are_read_from_the_san()
    {
        var names = CertificateNames.Of(pki.Gateway.Certificate);
        Assert.Equal(["vpn.example.com"], names.DnsNames);
        Assert.Equal(["vpn.example.com"], names.CommonNames);
        Assert.Empty(names.IpAddresses);
    }
}

public class WindowsCheckTests(PkiFixture pki) : IClassFixture<PkiFixture>
{
    private static CertificateProfile Good(string name) => new()
    {
        Subject = "CN=" + name,
        DnsNames = [name],
        ExtendedKeyUsages = [KeyPurposes.ServerAuthentication, KeyPurposes.IpSecurityIkeIntermediate],
    };

    [Fact]
    public void Development_gateway_certificate_passes()
    {
        var report = WindowsServerCertificateCheck.Check(pki.Gateway.Certificate, [pki.Root.Certificate], "vpn.example.com");
        Assert.True(report.IsAcceptable, string.Join("\n", report.Findings));
        Assert.Empty(report.Warnings);
        Assert.Contains(report.Findings, f => f.Code == "install-root");

        var ip = WindowsServerCertificateCheck.Check(pki.GatewayEc.Certificate, [pki.Root.Certificate], "203.0.113.5");
        Assert.True(ip.IsAcceptable, string.Join("\n", ip.Findings));
    }

    [Fact]
    public void Missing_name_is_an_error_that_says_what_to_add()
    {
        var report = WindowsServerCertificateCheck.Check(pki.Gateway.Certificate, [pki.Root.Certificate], "gw.example.org");
        Assert.False(report.IsAcceptable);
        var error = Assert.Single(report.Errors);
        Assert.Equal("name-mismatch", error.Code);
        Assert.Contains("DNS:gw.example.org", error.Message);
        Assert.Contains("13801", error.Message);
        Assert.Contains("DNS:vpn.example.com", error.Message);

        var ip = WindowsServerCertificateCheck.Check(pki.Gateway.Certificate, [pki.Root.Certificate], "198.51.100.7");
        Assert.Contains("IP:198.51.100.7", Assert.Single(ip.Errors).Message);
    }

    [Fact]
    public void Name_only_in_cn_is_a_warning()
    {
        using var cert = pki.Leaf(Good("vpn.example.com") with { DnsNames = [] });
        var report = WindowsServerCertificateCheck.Check(cert.Certificate, [pki.Root.Certificate], "vpn.example.com");
        Assert.True(report.IsAcceptable);
        Assert.Contains(report.Warnings, w => w.Code == "name-only-in-cn");
    }

    [Fact]
    public void Missing_server_auth_is_an_error()
    {
        using var cert = pki.Leaf(Good("vpn.example.com") with { ExtendedKeyUsages = [KeyPurposes.ClientAuthentication] });
        var report = WindowsServerCertificateCheck.Check(cert.Certificate, [pki.Root.Certificate], "vpn.example.com");
        Assert.False(report.IsAcceptable);
        var error = Assert.Single(report.Errors);
        Assert.Equal("no-server-auth-eku", error.Code);
        Assert.Contains("1.3.6.1.5.5.7.3.1", error.Message);

        using var none = pki.Leaf(Good("vpn.example.com") with { ExtendedKeyUsages = [] });
        Assert.Contains(WindowsServerCertificateCheck.Check(none.Certificate, [pki.Root.Certificate], "vpn.example.com").Errors,
            e => e.Code == "no-server-auth-eku");
    }

    [Fact]
    public void Missing_ike_intermediate_is_only_a_warning()
    {
        using var cert = pki.Leaf(Good("vpn.example.com") with { ExtendedKeyUsages = [KeyPurposes.ServerAuthentication] });
        var report = WindowsServerCertificateCheck.Check(cert.Certificate, [pki.Root.Certificate], "vpn.example.com");
        Assert.True(report.IsAcceptable, string.Join("\n", report.Findings));
        var warning = Assert.Single(report.Warnings);
        Assert.Equal("no-ike-intermediate-eku", warning.Code);
        Assert.Contains("1.3.6.1.5.5.8.2.2", warning.Message);
        Assert.Contains("13801", warning.Message);
    }

    [Fact]
    public void Incomplete_chain_is_an_error()
    {
        var report = WindowsServerCertificateCheck.Check(pki.LeafOfIntermediate.Certificate, [pki.Root.Certificate], "vpn2.example.com");
        var error = Assert.Single(report.Errors);
        Assert.Equal("chain-incomplete", error.Code);
        Assert.Contains("Gateway Intermediate CA", error.Message);

        var noRoot = WindowsServerCertificateCheck.Check(pki.LeafOfIntermediate.Certificate, [pki.Intermediate.Certificate], "vpn2.example.com");
        Assert.Contains(noRoot.Errors, e => e.Code == "chain-incomplete");

        var complete = WindowsServerCertificateCheck.Check(pki.LeafOfIntermediate.Certificate,
            [pki.Intermediate.Certificate, pki.Root.Certificate], "vpn2.example.com");
        Assert.True(complete.IsAcceptable, string.Join("\n", complete.Findings));
    }

    [Fact]
    public void Expired_and_not_yet_valid_are_errors()
    {
        using var expired = pki.Leaf(Good("vpn.example.com") with
        {
            NotBefore = DateTimeOffset.UtcNow.AddDays(-30),
            NotAfter = DateTimeOffset.UtcNow.AddDays(-1),
        });
        var report = WindowsServerCertificateCheck.Check(expired.Certificate, [pki.Root.Certificate], "vpn.example.com");
        Assert.Equal("expired", Assert.Single(report.Errors).Code);

        var future = WindowsServerCertificateCheck.Check(pki.Gateway.Certificate, [pki.Root.Certificate], "vpn.example.com",
            DateTimeOffset.UtcNow.AddDays(-3));
        Assert.Contains(future.Errors, e => e.Code == "not-yet-valid");
    }

    [Fact]
    public void Missing_private_key_is_an_error()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(pki.Gateway.Certificate.RawData);
        var report = WindowsServerCertificateCheck.Check(publicOnly, [pki.Root.Certificate], "vpn.example.com");
        Assert.Equal("no-private-key", Assert.Single(report.Errors).Code);
    }
}

public class PemTests(PkiFixture pki) : IClassFixture<PkiFixture>
{
    [Fact]
    public void Leaf_then_chain_and_key_load_back()
    {
        var certificatePem = pki.Gateway.CertificatePem + "\n" + pki.Root.CertificatePem;
        var (leaf, chain) = PemCertificates.LoadWithPrivateKey(certificatePem, pki.Gateway.ExportPrivateKeyPem());
        using (leaf)
        {
            Assert.True(leaf.HasPrivateKey);
            Assert.Equal(pki.Gateway.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Equal(pki.Root.Certificate.Thumbprint, Assert.Single(chain).Thumbprint);
            using var rsa = leaf.GetRSAPrivateKey();
            Assert.NotNull(rsa);
            var report = WindowsServerCertificateCheck.Check(leaf, chain, "vpn.example.com");
            Assert.True(report.IsAcceptable, string.Join("\n", report.Findings));
        }
    }

    [Fact]
    public void Ecdsa_keys_load()
    {
        using var key = PemCertificates.LoadPrivateKey(pki.Client.ExportPrivateKeyPem());
        Assert.IsAssignableFrom<ECDsa>(key);
        using var rsaKey = PemCertificates.LoadPrivateKey(((RSA)pki.Gateway.Key).ExportRSAPrivateKeyPem());
        Assert.IsAssignableFrom<RSA>(rsaKey);
        using var ecKey = PemCertificates.LoadPrivateKey(((ECDsa)pki.Client.Key).ExportECPrivateKeyPem());
        Assert.IsAssignableFrom<ECDsa>(ecKey);
    }

    [Fact]
    public void Encrypted_keys_need_the_password()
    {
        var pem = ((ECDsa)pki.Client.Key).ExportEncryptedPkcs8PrivateKeyPem("pw",
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        Assert.Throws<CertificateLoadException>(() => PemCertificates.LoadPrivateKey(pem));
        using var key = PemCertificates.LoadPrivateKey(pem, "pw");
        Assert.IsAssignableFrom<ECDsa>(key);
    }

    [Fact]
    public void Bad_input_gives_a_load_exception_without_key_material()
    {
        Assert.Throws<CertificateLoadException>(() => PemCertificates.LoadCertificates("nothing here"));
        Assert.Throws<CertificateLoadException>(() => PemCertificates.LoadCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"));
        Assert.Throws<CertificateLoadException>(() => PemCertificates.LoadPrivateKey(pki.Root.CertificatePem));
        var wrongKey = Assert.Throws<CertificateLoadException>(() =>
            PemCertificates.LoadWithPrivateKey(pki.Gateway.CertificatePem, pki.Client.ExportPrivateKeyPem()));
        Assert.DoesNotContain("PRIVATE", wrongKey.Message);
    }

    [Fact]
    public void Issued_certificate_tostring_has_no_key()
    {
        Assert.DoesNotContain("PRIVATE", pki.Gateway.ToString());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pki.Gateway.ExportPrivateKeyPem());
    }
}
