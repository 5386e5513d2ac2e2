using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Crypto.X509;

/// <summary>Key types the development PKI generates.</summary>
public enum DevelopmentKeyType
{
    /// <summary>RSA 2048 (the default: every client accepts it).</summary>
    Rsa2048,

    /// <summary>ECDSA on P-256.</summary>
    EcdsaP256,
}

/// <summary>Well-known extended key usage OIDs.</summary>
public static class KeyPurposes
{
    /// <summary>id-kp-serverAuth.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>"IP security IKE intermediate" (iKEIntermediate), recommended by Windows.</summary>
    public const string IpSecurityIkeIntermediate = "1.3.6.1.5.5.8.2.2";
}

/// <summary>What to put in a certificate <see cref="DevelopmentPki.Issue"/> makes.</summary>
public sealed record CertificateProfile
{
    /// <summary>The subject DN, e.g. "CN=vpn.example.com".</summary>
    public required string Subject { get; init; }

    /// <summary>dNSName SANs.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>iPAddress SANs.</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];

    /// <summary>rfc822Name SANs.</summary>
    public IReadOnlyList<string> EmailAddresses { get; init; } = [];

    /// <summary>EKU OIDs; none gives a certificate without the extension.</summary>
    public IReadOnlyList<string> ExtendedKeyUsages { get; init; } = [];

    /// <summary>Whether the certificate is a CA.</summary>
    public bool IsCertificateAuthority { get; init; }

    /// <summary>Start of validity; an hour ago when null.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>End of validity; see <see cref="DevelopmentPki"/> defaults when null.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>The key type.</summary>
    public DevelopmentKeyType KeyType { get; init; } = DevelopmentKeyType.Rsa2048;
}

/// <summary>A certificate with its private key, exportable as PEM.</summary>
public sealed class IssuedCertificate : IDisposable
{
    internal IssuedCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The certificate, with its private key attached.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The private key (RSA or ECDsa).</summary>
    public AsymmetricAlgorithm Key { get; }

    /// <summary>The certificate as PEM.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>The private key as unencrypted PKCS#8 PEM. Write it with owner-only permissions.</summary>
    public string ExportPrivateKeyPem() => Key switch
    {
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        _ => throw new NotSupportedException("Unknown key type."),
    };

    /// <summary>Describes the certificate, not the key.</summary>
    public override string ToString() => $"IssuedCertificate({Certificate.Subject}, until {Certificate.NotAfter:u})";

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}

/// <summary>
/// A development PKI: a root CA, a gateway certificate Windows accepts (SAN = the dialed name or address, EKU
/// serverAuth + IKE intermediate) and client certificates (EKU clientAuth). For first start and tests; operators
/// should bring certificates from their own CA for production.
/// </summary>
public static class DevelopmentPki
{
    /// <summary>Creates a self-signed root CA (10 years by default).</summary>
    public static IssuedCertificate CreateRootCa(string commonName = "Gateway Development Root CA",
        DevelopmentKeyType keyType = DevelopmentKeyType.Rsa2048, DateTimeOffset? now = null)
    {
        var start = (now ?? DateTimeOffset.UtcNow).AddHours(-1);
        return Issue(null, new CertificateProfile
        {
            Subject = "CN=" + EscapeRdnValue(commonName),
            IsCertificateAuthority = true,
            KeyType = keyType,
            NotBefore = start,
            NotAfter = start.AddYears(10),
        });
    }

    /// <summary>
    /// Issues the gateway certificate: subject CN = identity, SAN = DNS:identity or IP:identity, EKU serverAuth and
    /// IP security IKE intermediate, 2 years by default (never beyond the CA).
    /// </summary>
    public static IssuedCertificate IssueGatewayCertificate(IssuedCertificate ca, string identity,
        DevelopmentKeyType keyType = DevelopmentKeyType.Rsa2048, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        var isAddress = IPAddress.TryParse(identity, out var address);
        var start = (now ?? DateTimeOffset.UtcNow).AddHours(-1);
        return Issue(ca, new CertificateProfile
        {
            Subject = "CN=" + EscapeRdnValue(identity),
            DnsNames = isAddress ? [] : [identity],
            IpAddresses = isAddress ? [address!] : [],
            ExtendedKeyUsages = [KeyPurposes.ServerAuthentication, KeyPurposes.IpSecurityIkeIntermediate],
            KeyType = keyType,
            NotBefore = start,
            NotAfter = start.AddYears(2),
        });
    }

    /// <summary>
    /// Issues a client certificate: subject CN = name, SAN rfc822Name when the name has an '@', else dNSName;
    /// EKU clientAuth; 1 year by default.
    /// </summary>
    public static IssuedCertificate IssueClientCertificate(IssuedCertificate ca, string name,
        DevelopmentKeyType keyType = DevelopmentKeyType.Rsa2048, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var start = (now ?? DateTimeOffset.UtcNow).AddHours(-1);
        var isEmail = name.Contains('@');
        return Issue(ca, new CertificateProfile
        {
            Subject = "CN=" + EscapeRdnValue(name),
            EmailAddresses = isEmail ? [name] : [],
            DnsNames = isEmail ? [] : [name],
            ExtendedKeyUsages = [KeyPurposes.ClientAuthentication],
            KeyType = keyType,
            NotBefore = start,
            NotAfter = start.AddYears(1),
        });
    }

    /// <summary>Issues a certificate by profile; self-signed when <paramref name="issuer"/> is null.</summary>
    public static IssuedCertificate Issue(IssuedCertificate? issuer, CertificateProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        AsymmetricAlgorithm key = profile.KeyType == DevelopmentKeyType.EcdsaP256
            ? ECDsa.Create(ECCurve.NamedCurves.nistP256)
            : RSA.Create(2048);
        var subject = new X500DistinguishedName(profile.Subject);
        var request = key is RSA rsaKey
            ? new CertificateRequest(subject, rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);

        var extensions = request.CertificateExtensions;
        extensions.Add(new X509BasicConstraintsExtension(profile.IsCertificateAuthority, false, 0, critical: true));
        var usage = profile.IsCertificateAuthority
            ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature
            : key is RSA ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature;
        extensions.Add(new X509KeyUsageExtension(usage, critical: true));
        if (profile.ExtendedKeyUsages.Count > 0)
        {
            var oids = new OidCollection();
            foreach (var oid in profile.ExtendedKeyUsages)
                oids.Add(new Oid(oid));
            extensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }
        if (profile.DnsNames.Count + profile.IpAddresses.Count + profile.EmailAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in profile.DnsNames)
                san.AddDnsName(dns);
            foreach (var ip in profile.IpAddresses)
                san.AddIpAddress(ip);
            foreach (var email in profile.EmailAddresses)
                san.AddEmailAddress(email);
            extensions.Add(san.Build(critical: false));
        }
        var subjectKeyId = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        extensions.Add(subjectKeyId);

        var notBefore = profile.NotBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = profile.NotAfter ?? notBefore.AddYears(1);
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;

        X509Certificate2 publicOnly;
        if (issuer is null)
        {
            var generator = key is RSA r
                ? X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1)
                : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
            publicOnly = request.Create(subject, generator, notBefore, notAfter, serial);
        }
        else
        {
            extensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
            var generator = issuer.Key is RSA r
                ? X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1)
                : X509SignatureGenerator.CreateForECDsa((ECDsa)issuer.Key);
            if (notAfter > issuer.Certificate.NotAfter && profile.NotAfter is null)
                notAfter = issuer.Certificate.NotAfter;
            publicOnly = request.Create(issuer.Certificate.SubjectName, generator, notBefore, notAfter, serial);
        }
        using (publicOnly)
        {
            var withKey = key is RSA rsa ? publicOnly.CopyWithPrivateKey(rsa) : publicOnly.CopyWithPrivateKey((ECDsa)key);
            return new IssuedCertificate(withKey, key);
        }
    }

    private static string EscapeRdnValue(string value) =>
        value.IndexOfAny([',', '+', '"', '\\', '<', '>', ';', '=']) >= 0 ? "\"" + value.Replace("\"", "\\\"") + "\"" : value;
}
