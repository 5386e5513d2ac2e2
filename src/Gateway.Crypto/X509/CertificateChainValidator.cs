using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Crypto.X509;

/// <summary>Options of <see cref="CertificateChainValidator"/>.</summary>
public sealed record ChainValidationOptions
{
    /// <summary>Revocation checking; off by default (no CRL/OCSP fetching from the IKE path).</summary>
    public X509RevocationMode RevocationMode { get; init; } = X509RevocationMode.NoCheck;

    /// <summary>An EKU OID the end-entity certificate must carry (e.g. 1.3.6.1.5.5.7.3.2 for clients); none if null.</summary>
    public string? RequiredExtendedKeyUsage { get; init; }
}

/// <summary>The outcome of validating a peer certificate.</summary>
/// <param name="IsValid">True when the chain reaches a configured root and every check passed.</param>
/// <param name="Problems">What failed, in words for a log.</param>
/// <param name="Chain">The chain built, end entity first (possibly partial).</param>
public sealed record ChainValidationResult(bool IsValid, IReadOnlyList<string> Problems, IReadOnlyList<X509Certificate2> Chain);

/// <summary>
/// Validates a peer's end-entity certificate against configured roots only (X509Chain with CustomRootTrust; the
/// system store is not consulted and nothing is downloaded), with intermediates from CERT payloads.
/// </summary>
public sealed class CertificateChainValidator
{
    private readonly X509Certificate2Collection _roots;
    private readonly ChainValidationOptions _options;

    /// <param name="trustedRoots">The roots to trust.</param>
    /// <param name="options">Options; defaults when null.</param>
    public CertificateChainValidator(IEnumerable<X509Certificate2> trustedRoots, ChainValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trustedRoots);
        _roots = new X509Certificate2Collection(trustedRoots.ToArray());
        if (_roots.Count == 0)
            throw new ArgumentException("At least one trusted root is needed.", nameof(trustedRoots));
        _options = options ?? new ChainValidationOptions();
    }

    /// <summary>Validates. Never throws for bad certificates; problems are in the result.</summary>
    /// <param name="endEntity">The peer's certificate.</param>
    /// <param name="intermediates">Further certificates the peer sent.</param>
    /// <param name="at">The time to validate at; now when null.</param>
    public ChainValidationResult Validate(X509Certificate2 endEntity, IEnumerable<X509Certificate2>? intermediates = null,
        DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(endEntity);
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        if (intermediates is not null)
            policy.ExtraStore.AddRange(intermediates.ToArray());
        policy.RevocationMode = _options.RevocationMode;
        policy.RevocationFlag = X509RevocationFlag.EntireChain;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = (at ?? DateTimeOffset.UtcNow).UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (_options.RequiredExtendedKeyUsage is { } eku)
            policy.ApplicationPolicy.Add(new Oid(eku));

        bool built;
        try
        {
            built = chain.Build(endEntity);
        }
        catch (CryptographicException e)
        {
            return new ChainValidationResult(false, [$"chain could not be built: {e.Message}"], [endEntity]);
        }

        var elements = chain.ChainElements.Select(e => e.Certificate).ToList();
        var problems = new List<string>();
        foreach (var element in chain.ChainElements)
        {
            foreach (var status in element.ChainElementStatus)
            {
                if (status.Status == X509ChainStatusFlags.NoError)
                    continue;
                problems.Add($"{element.Certificate.Subject}: {Describe(status.Status)}");
            }
        }
        if (!built && problems.Count == 0)
        {
            foreach (var status in chain.ChainStatus)
                problems.Add(Describe(status.Status));
        }
        if (built && !_roots.Contains(elements[^1]))
        {
            built = false;
            problems.Add("chain does not end at a configured root");
        }
        return new ChainValidationResult(built && problems.Count == 0, problems, elements);
    }

    internal static string Describe(X509ChainStatusFlags flag) => flag switch
    {
        X509ChainStatusFlags.NotTimeValid => "not valid at this time (expired or not yet valid)",
        X509ChainStatusFlags.PartialChain => "chain incomplete: no path to a trusted root",
        X509ChainStatusFlags.UntrustedRoot => "root is not trusted",
        X509ChainStatusFlags.NotSignatureValid => "signature does not verify",
        X509ChainStatusFlags.NotValidForUsage => "lacks the required extended key usage",
        X509ChainStatusFlags.Revoked => "revoked",
        X509ChainStatusFlags.RevocationStatusUnknown => "revocation status unknown",
        X509ChainStatusFlags.OfflineRevocation => "revocation server offline",
        X509ChainStatusFlags.InvalidBasicConstraints => "issuer is not a CA (basic constraints)",
        X509ChainStatusFlags.HasNotSupportedCriticalExtension => "has an unsupported critical extension",
        X509ChainStatusFlags.InvalidNameConstraints or X509ChainStatusFlags.HasNotPermittedNameConstraint
            or X509ChainStatusFlags.HasExcludedNameConstraint => "violates name constraints",
        X509ChainStatusFlags.Cyclic => "chain is cyclic",
        _ => flag.ToString(),
    };
}
