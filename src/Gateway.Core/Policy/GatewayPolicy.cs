using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Ike;

namespace Gateway.Core.Policy;

/// <summary>
/// What the responder needs to know, already validated. The executable builds it from HOCON (hocon/gateway.conf);
/// Core never reads configuration itself.
/// </summary>
public sealed record GatewayPolicy
{
    /// <summary>Our IDr (FQDN, or an IP address), and the name clients dial.</summary>
    public required string Identity { get; init; }

    /// <summary>Our certificate with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Intermediates sent after the leaf (may be empty; never the root).</summary>
    public required IReadOnlyList<X509Certificate2> CertificateChain { get; init; }

    /// <summary>Roots that client certificates must chain to.</summary>
    public required IReadOnlyList<X509Certificate2> TrustedCas { get; init; }

    /// <summary>Acceptable IKE SA proposals, in our order of preference.</summary>
    public required IReadOnlyList<Proposal> IkeProposals { get; init; }

    /// <summary>Acceptable ESP proposals, in our order of preference.</summary>
    public required IReadOnlyList<Proposal> EspProposals { get; init; }

    /// <summary>Virtual address pools and what CP hands out with them.</summary>
    public required AddressPools Pools { get; init; }

    /// <summary>Networks clients may reach (TSr is narrowed to these).</summary>
    public required IReadOnlyList<IPNetwork> ProtectedSubnets { get; init; }

    /// <summary>EAP-MSCHAPv2 users: identity → password. Empty disables EAP.</summary>
    public IReadOnlyDictionary<string, string> EapUsers { get; init; } = new Dictionary<string, string>();

    /// <summary>PSK secrets by peer identity (IDi data as text). Empty disables PSK.</summary>
    public IReadOnlyDictionary<string, byte[]> PreSharedKeys { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Whether clients may authenticate with certificates (chaining to <see cref="TrustedCas"/>).</summary>
    public bool CertificateAuthentication { get; init; } = true;
}

/// <summary>Virtual address pools and the DNS servers handed out with them.</summary>
public sealed record AddressPools(IPNetwork? Ipv4, IPNetwork? Ipv6, IReadOnlyList<IPAddress> Dns);
