using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Crypto.X509;

/// <summary>How serious a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Windows clients will fail (error 13801 or similar).</summary>
    Error,

    /// <summary>Works, but against a recommendation; some clients or policies may fail.</summary>
    Warning,

    /// <summary>Something the operator has to do on the clients.</summary>
    Info,
}

/// <summary>One finding about the gateway certificate.</summary>
/// <param name="Severity">Error, warning or info.</param>
/// <param name="Code">A stable short code (e.g. "name-mismatch") for tests and metrics.</param>
/// <param name="Message">What is wrong and what to do, in words an operator can act on.</param>
public sealed record CertificateFinding(FindingSeverity Severity, string Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()}: {Message}";
}

/// <summary>The findings of <see cref="WindowsServerCertificateCheck.Check"/>.</summary>
public sealed record WindowsCertificateReport(IReadOnlyList<CertificateFinding> Findings)
{
    /// <summary>True when nothing would make Windows clients refuse the certificate.</summary>
    public bool IsAcceptable => Findings.All(f => f.Severity != FindingSeverity.Error);

    /// <summary>The errors.</summary>
    public IEnumerable<CertificateFinding> Errors => Findings.Where(f => f.Severity == FindingSeverity.Error);

    /// <summary>The warnings.</summary>
    public IEnumerable<CertificateFinding> Warnings => Findings.Where(f => f.Severity == FindingSeverity.Warning);
}

/// <summary>
/// Checks, at gateway start, whether Windows IKEv2 clients will accept the gateway certificate: the dialed name or
/// address in SAN/CN, the Server Authentication EKU, the recommended IP security IKE intermediate EKU, a chain up to
/// a self-signed root, validity, and a usable private key. Windows reports most of these as error 13801
/// ("IKE authentication credentials are unacceptable").
/// </summary>
public static class WindowsServerCertificateCheck
{
    private const string EkuOid = "2.5.29.37";

    /// <summary>Runs every check.</summary>
    /// <param name="leaf">The gateway certificate (with its private key).</param>
    /// <param name="chain">The other certificates the gateway has: intermediates and, ideally, the root.</param>
    /// <param name="dialedIdentity">The name or address clients put in their VPN profile.</param>
    /// <param name="now">The time to check at; now when null.</param>
    public static WindowsCertificateReport Check(X509Certificate2 leaf, IEnumerable<X509Certificate2> chain,
        string dialedIdentity, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentException.ThrowIfNullOrWhiteSpace(dialedIdentity);
        var at = now ?? DateTimeOffset.UtcNow;
        var others = chain.ToList();
        var findings = new List<CertificateFinding>();

        CheckName(leaf, dialedIdentity.Trim(), findings);
        CheckExtendedKeyUsage(leaf, findings);
        CheckKeyUsage(leaf, findings);
        CheckValidity(leaf, at, "The gateway certificate", findings);
        foreach (var certificate in others)
            CheckValidity(certificate, at, $"Chain certificate '{certificate.Subject}'", findings);
        CheckChain(leaf, others, at, findings);
        CheckPrivateKey(leaf, findings);
        return new WindowsCertificateReport(findings);
    }

    private static void CheckName(X509Certificate2 leaf, string identity, List<CertificateFinding> findings)
    {
        var names = CertificateNames.Of(leaf);
        if (IPAddress.TryParse(identity, out var address))
        {
            var inSan = names.IpAddresses.Any(a => a.Equals(address));
            var inCn = names.CommonNames.Any(cn => IPAddress.TryParse(cn, out var a) && a.Equals(address));
            if (!inSan && !inCn)
            {
                findings.Add(new CertificateFinding(FindingSeverity.Error, "name-mismatch",
                    $"The certificate does not name the address {identity} that clients dial: Windows fails with error 13801. " +
                    $"Add IP:{identity} to subjectAltName (e.g. openssl ... -addext \"subjectAltName=IP:{identity}\") and reissue it, " +
                    $"or have clients dial a name the certificate holds ({Describe(names)})."));
            }
            else if (!inSan)
            {
                findings.Add(new CertificateFinding(FindingSeverity.Warning, "name-only-in-cn",
                    $"The address {identity} is only in the subject CN; add IP:{identity} to subjectAltName, which other clients require."));
            }
            return;
        }

        var sanMatch = names.DnsNames.Any(n => CertificateIdentity.DnsNameMatches(n, identity));
        var cnMatch = names.CommonNames.Any(cn => CertificateIdentity.DnsNameMatches(cn, identity));
        if (!sanMatch && !cnMatch)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "name-mismatch",
                $"The certificate does not name {identity}, the name clients dial: Windows fails with error 13801. " +
                $"Add DNS:{identity} to subjectAltName (e.g. openssl ... -addext \"subjectAltName=DNS:{identity}\") and reissue it, " +
                $"or have clients dial a name the certificate holds ({Describe(names)})."));
        }
        else if (!sanMatch)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Warning, "name-only-in-cn",
                $"{identity} is only in the subject CN; add DNS:{identity} to subjectAltName, which strongSwan, Apple and Android clients require."));
        }
    }

    private static void CheckExtendedKeyUsage(X509Certificate2 leaf, List<CertificateFinding> findings)
    {
        var oids = new HashSet<string>();
        var hasExtension = false;
        foreach (var extension in leaf.Extensions)
        {
            if (extension.Oid?.Value != EkuOid)
                continue;
            hasExtension = true;
            try
            {
                var eku = new X509EnhancedKeyUsageExtension(extension, extension.Critical);
                foreach (var oid in eku.EnhancedKeyUsages)
                {
                    if (oid.Value is not null)
                        oids.Add(oid.Value);
                }
            }
            catch (CryptographicException)
            {
                // Treated as an empty EKU list below.
            }
        }

        if (!oids.Contains(KeyPurposes.ServerAuthentication))
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "no-server-auth-eku",
                (hasExtension ? "The certificate's extended key usage lacks Server Authentication (1.3.6.1.5.5.7.3.1)"
                    : "The certificate has no extended key usage extension, so no Server Authentication (1.3.6.1.5.5.7.3.1)") +
                ": Windows fails with error 13801. Reissue it with extendedKeyUsage = serverAuth, 1.3.6.1.5.5.8.2.2."));
        }
        if (!oids.Contains(KeyPurposes.IpSecurityIkeIntermediate))
        {
            findings.Add(new CertificateFinding(FindingSeverity.Warning, "no-ike-intermediate-eku",
                "The certificate lacks the \"IP security IKE intermediate\" extended key usage (1.3.6.1.5.5.8.2.2) that Windows " +
                "recommends; clients with a stricter policy fail with error 13801. Add it when the certificate is next reissued."));
        }
    }

    private static void CheckKeyUsage(X509Certificate2 leaf, List<CertificateFinding> findings)
    {
        var keyUsage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is not null && (keyUsage.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "no-digital-signature",
                "The certificate's key usage lacks digitalSignature, but IKE signs with this key: reissue it with keyUsage = digitalSignature, keyEncipherment."));
        }
        using var rsa = leaf.GetRSAPublicKey();
        if (rsa is not null && rsa.KeySize < 2048)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Warning, "weak-key",
                $"The certificate has an RSA key of {rsa.KeySize} bits; use 2048 bits or more."));
        }
    }

    private static void CheckValidity(X509Certificate2 certificate, DateTimeOffset at, string what, List<CertificateFinding> findings)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (at < notBefore)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "not-yet-valid",
                $"{what} is not valid before {notBefore:u}: check this host's clock, or reissue it."));
        }
        else if (at > notAfter)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "expired",
                $"{what} expired on {notAfter:u}: renew it."));
        }
        else if (notAfter - at < TimeSpan.FromDays(30))
        {
            findings.Add(new CertificateFinding(FindingSeverity.Warning, "expires-soon",
                $"{what} expires on {notAfter:u}: renew it soon."));
        }
    }

    private static void CheckChain(X509Certificate2 leaf, List<X509Certificate2> others, DateTimeOffset at,
        List<CertificateFinding> findings)
    {
        if (IsSelfSigned(leaf))
        {
            findings.Add(new CertificateFinding(FindingSeverity.Warning, "self-signed",
                "The gateway certificate is self-signed; each client must trust this very certificate. Prefer a CA-issued certificate."));
            return;
        }

        var roots = others.Where(IsSelfSigned).ToList();
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = at.UtcDateTime;
        policy.ExtraStore.AddRange(others.Where(c => !IsSelfSigned(c)).ToArray());
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(roots.ToArray());
        // Validity is reported separately, with dates.
        policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;

        bool built;
        try
        {
            built = chain.Build(leaf);
        }
        catch (CryptographicException e)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "chain-incomplete",
                $"The certificate chain could not be built ({e.Message})."));
            return;
        }

        var last = chain.ChainElements[^1].Certificate;
        var reachesRoot = IsSelfSigned(last) && roots.Any(r => r.RawDataMemory.Span.SequenceEqual(last.RawDataMemory.Span));
        if (!reachesRoot)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "chain-incomplete",
                $"The chain is incomplete: no certificate for the issuer '{last.Issuer}' of '{last.Subject}' was given, so it does not " +
                "reach a self-signed root. Append the intermediate CA certificates and the root CA certificate to the gateway's " +
                "certificate file (leaf first), so the gateway can verify the chain and send the intermediates."));
            return;
        }
        foreach (var element in chain.ChainElements)
        {
            foreach (var status in element.ChainElementStatus)
            {
                if (status.Status is X509ChainStatusFlags.NoError or X509ChainStatusFlags.NotTimeValid)
                    continue;
                findings.Add(new CertificateFinding(FindingSeverity.Error, "chain-invalid",
                    $"Chain certificate '{element.Certificate.Subject}': {CertificateChainValidator.Describe(status.Status)}."));
            }
        }
        if (built)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Info, "install-root",
                $"Windows clients must trust the root '{last.Subject}' (thumbprint {last.Thumbprint}): import it into the " +
                "Local Computer 'Trusted Root Certification Authorities' store, or clients fail with error 13801."));
        }
    }

    private static void CheckPrivateKey(X509Certificate2 leaf, List<CertificateFinding> findings)
    {
        if (!leaf.HasPrivateKey)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "no-private-key",
                "No private key is loaded with the gateway certificate: configure the key file that belongs to it."));
            return;
        }
        try
        {
            var probe = new byte[] { 1, 2, 3, 4 };
            using var rsa = leaf.GetRSAPrivateKey();
            if (rsa is not null)
            {
                var signature = rsa.SignData(probe, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var pub = leaf.GetRSAPublicKey();
                if (pub is null || !pub.VerifyData(probe, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                    throw new CryptographicException("key does not match");
                return;
            }
            using var ec = leaf.GetECDsaPrivateKey();
            if (ec is not null)
            {
                var signature = ec.SignData(probe, HashAlgorithmName.SHA256);
                using var pub = leaf.GetECDsaPublicKey();
                if (pub is null || !pub.VerifyData(probe, signature, HashAlgorithmName.SHA256))
                    throw new CryptographicException("key does not match");
                return;
            }
            findings.Add(new CertificateFinding(FindingSeverity.Error, "unsupported-key",
                "The certificate key is neither RSA nor ECDSA; IKE AUTH here signs with RSA or ECDSA only."));
        }
        catch (CryptographicException)
        {
            findings.Add(new CertificateFinding(FindingSeverity.Error, "private-key-unusable",
                "The private key loaded with the gateway certificate cannot sign, or does not belong to it: check the key file."));
        }
    }

    private static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
            return false;
        // Confirm the signature with X509Chain's own view: a single-certificate chain trusted as its own root.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        try
        {
            chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
        return chain.ChainElements.Count == 1
               && chain.ChainElements[0].ChainElementStatus.All(s => s.Status is X509ChainStatusFlags.NoError
                   or X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotValidForUsage);
    }

    private static string Describe(CertificateNames names)
    {
        var all = names.DnsNames.Select(n => "DNS:" + n)
            .Concat(names.IpAddresses.Select(a => "IP:" + a))
            .Concat(names.CommonNames.Select(cn => "CN=" + cn))
            .ToList();
        return all.Count == 0 ? "it holds no names" : "it holds " + string.Join(", ", all);
    }
}
