namespace Gateway.Configuration;

/// <summary>gateway.cluster.* (hocon/cluster.conf): how this node finds and joins the others.</summary>
public sealed record ClusterSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes, string LogLevel)
{
    /// <summary>Akka cluster roles of this node; sessions and the address registry run on nodes with <see cref="GatewayRole"/>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [GatewayRole];

    /// <summary>Split brain resolver strategy (keep-majority, keep-oldest, down-all).</summary>
    public string SplitBrainStrategy { get; init; } = "keep-majority";

    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Null: the same as <see cref="StableAfter"/>.</summary>
    public TimeSpan? DownRemovalMargin { get; init; }

    public const string GatewayRole = "gateway";
}

internal static class ClusterSettingsReader
{
    /// <summary>Strategies that need no further settings; static-quorum needs a size we do not expose (yet).</summary>
    private static readonly string[] Strategies = ["keep-majority", "keep-oldest", "down-all"];

    public static ClusterSettings Read(HoconValues v)
    {
        string host = v.String("gateway.cluster.hostname");
        if (host.Length == 0)
            throw new ConfigurationError("gateway.cluster.hostname", "must not be empty");
        int port = v.Int("gateway.cluster.port", 1, 65535);
        var seeds = v.StringList("gateway.cluster.seed-nodes");
        foreach (string seed in seeds)
        {
            if (!Uri.TryCreate(seed, UriKind.Absolute, out Uri? uri) || !uri.Scheme.StartsWith("akka", StringComparison.Ordinal))
                throw new ConfigurationError("gateway.cluster.seed-nodes", $"'{seed}' is not an Akka address like akka.tcp://gateway@host:4053");
        }
        var roles = v.StringList("gateway.cluster.roles");
        foreach (string role in roles)
        {
            if (role.Length == 0 || role.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new ConfigurationError("gateway.cluster.roles", $"'{role}' is not a role name (letters, digits, '-', '_')");
        }
        if (!roles.Contains(ClusterSettings.GatewayRole))
            throw new ConfigurationError("gateway.cluster.roles", $"must include \"{ClusterSettings.GatewayRole}\" (the role that hosts sessions)");
        string strategy = v.String("gateway.cluster.split-brain-resolver.active-strategy").ToLowerInvariant();
        if (!Strategies.Contains(strategy))
            throw new ConfigurationError("gateway.cluster.split-brain-resolver.active-strategy", $"'{strategy}' is not one of {string.Join(", ", Strategies)}");
        var stableAfter = v.Duration("gateway.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        const string marginKey = "gateway.cluster.split-brain-resolver.down-removal-margin";
        TimeSpan? margin = v.String(marginKey).Trim().Length == 0 ? null : v.Duration(marginKey, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        string logLevel = v.String("gateway.cluster.log-level").ToUpperInvariant();
        if (logLevel is not ("OFF" or "ERROR" or "WARNING" or "INFO" or "DEBUG"))
            throw new ConfigurationError("gateway.cluster.log-level", $"'{logLevel}' is not one of OFF, ERROR, WARNING, INFO, DEBUG");
        return new ClusterSettings(host, port, seeds, logLevel)
        {
            Roles = roles,
            SplitBrainStrategy = strategy,
            StableAfter = stableAfter,
            DownRemovalMargin = margin,
        };
    }

    /// <summary>gateway.cluster.shard-count: part of the SPI → shard rule, the same on every node.</summary>
    public static int ShardCount(HoconValues v) => v.Int("gateway.cluster.shard-count", 10, 10_000);
}
