using System.Net;
using Gateway.Ike;

namespace Gateway.Configuration;

/// <summary>
/// The validated content of the gateway.* HOCON tree (hocon/gateway.conf documents each key). Paths are absolute
/// (resolved against the configuration file's directory); secrets are values here and must never be logged.
/// </summary>
public sealed record GatewaySettings
{
    public required IReadOnlyList<IPAddress> Listen { get; init; }
    public required int IkePort { get; init; }
    public required int NatTraversalPort { get; init; }
    public required bool RawEsp { get; init; }
    public required string Identity { get; init; }
    public required string DataDirectory { get; init; }

    /// <summary>Null (with <see cref="PrivateKeyPath"/>) selects the development PKI.</summary>
    public required string? CertificatePath { get; init; }
    public required string? PrivateKeyPath { get; init; }
    public required IReadOnlyList<string> TrustedCaPaths { get; init; }

    public required IReadOnlyList<Proposal> IkeProposals { get; init; }
    public required IReadOnlyList<Proposal> EspProposals { get; init; }

    public required IPNetwork? Ipv4Pool { get; init; }
    public required IPNetwork? Ipv6Pool { get; init; }
    public required IReadOnlyList<IPAddress> Dns { get; init; }
    public required IReadOnlyList<IPNetwork> ProtectedSubnets { get; init; }

    /// <summary>EAP-MSCHAPv2 users from users-file and inline users (inline wins), without the demo user.</summary>
    public required IReadOnlyDictionary<string, string> EapUsers { get; init; }

    /// <summary>Empty: no demo user.</summary>
    public required string DemoUser { get; init; }
    public required IReadOnlyDictionary<string, byte[]> PreSharedKeys { get; init; }
    public required bool CertificateAuthentication { get; init; }

    /// <summary>gateway.ike.* and gateway.dos.*: the IKE core's options, without metrics and clock (the host adds them).</summary>
    public required Gateway.Core.Hosting.GatewayCoreOptions Core { get; init; }

    /// <summary>
    /// gateway.dos.redirect (drain = on): where every new client is redirected at start; null: not draining. The
    /// operator switches draining at run time (`Gateway drain` / `Gateway undrain`); Core.RedirectPolicy is only the
    /// per-source part.
    /// </summary>
    public GatewayIdentity? DrainTarget { get; init; }

    public required string TunName { get; init; }
    public required int TunMtu { get; init; }

    public required int ReplayWindow { get; init; }

    /// <summary>Resolved: never 0.</summary>
    public required int EspWorkers { get; init; }
    public required int QueueDepth { get; init; }
    public required bool EnableForwarding { get; init; }

    public required bool MetricsEnabled { get; init; }
    public required string MetricsHost { get; init; }
    public required int MetricsPort { get; init; }

    public required ClusterSettings Cluster { get; init; }

    /// <summary>
    /// gateway.steering.forward-port: 0 alone on the address; else several nodes share it on this host (SO_REUSEPORT,
    /// ESP forwarded between nodes on this UDP port at the cluster hostname, host routes per client).
    /// </summary>
    public int SteeringForwardPort { get; init; }

    /// <summary>The configuration file's own akka { } section (expert tuning, e.g. the failure detector), or null.</summary>
    public Akka.Configuration.Config? AkkaOverrides { get; init; }

    /// <summary>gateway.persistence.*: the journal of established IKE SAs (issue 5); null: nothing persisted.</summary>
    public PersistenceSettings? Persistence { get; init; }

    /// <summary>Never print secrets: only counts of users and keys.</summary>
    public override string ToString() =>
        $"GatewaySettings(identity={Identity}, listen=[{string.Join(",", Listen)}], eap-users={EapUsers.Count}, psk={PreSharedKeys.Count})";
}
