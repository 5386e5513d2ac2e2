using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using Gateway.Core.Policy;
using Gateway.Crypto.X509;

namespace Gateway.Startup;

/// <summary>The gateway's credentials as loaded from PEM files: leaf with key, the file's chain, trusted roots.</summary>
public sealed record LoadedCredentials(X509Certificate2 Leaf, IReadOnlyList<X509Certificate2> Chain, IReadOnlyList<X509Certificate2> TrustedCas);

/// <summary>Loads certificates named by the settings and builds the <see cref="GatewayPolicy"/> Core runs on.</summary>
public static class PolicyBuilder
{
    /// <exception cref="ConfigurationError">A file does not load; names the key.</exception>
    public static LoadedCredentials LoadCredentials(string certificatePath, string privateKeyPath, IEnumerable<string> trustedCaPaths)
    {
        X509Certificate2 leaf;
        IReadOnlyList<X509Certificate2> chain;
        try
        {
            (leaf, chain) = PemCertificates.LoadWithPrivateKey(File.ReadAllText(certificatePath), File.ReadAllText(privateKeyPath));
        }
        catch (CertificateLoadException e)
        {
            string key = e.Message.Contains("key", StringComparison.OrdinalIgnoreCase) ? "gateway.private-key" : "gateway.certificate";
            throw new ConfigurationError(key, e.Message, e);
        }
        var roots = new List<X509Certificate2>();
        foreach (string path in trustedCaPaths)
        {
            try
            {
                roots.AddRange(PemCertificates.LoadCertificates(File.ReadAllText(path)));
            }
            catch (CertificateLoadException e)
            {
                throw new ConfigurationError("gateway.trusted-cas", $"'{path}': {e.Message}", e);
            }
        }
        return new LoadedCredentials(leaf, chain, roots);
    }

    public static GatewayPolicy Build(GatewaySettings settings, LoadedCredentials credentials, IReadOnlyDictionary<string, string> eapUsers) => new()
    {
        Identity = settings.Identity,
        Certificate = credentials.Leaf,
        // Sent after the leaf in CERT payloads: intermediates only; clients have (and must trust) the root themselves.
        CertificateChain = credentials.Chain.Where(c => !IsSelfIssued(c)).ToList(),
        TrustedCas = credentials.TrustedCas,
        IkeProposals = settings.IkeProposals,
        EspProposals = settings.EspProposals,
        Pools = new AddressPools(settings.Ipv4Pool, settings.Ipv6Pool, settings.Dns),
        ProtectedSubnets = settings.ProtectedSubnets,
        EapUsers = eapUsers,
        PreSharedKeys = settings.PreSharedKeys,
        CertificateAuthentication = settings.CertificateAuthentication,
    };

    private static bool IsSelfIssued(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);
}
