using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Configuration;
using Gateway.Crypto.Esp;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Configuration;

/// <summary>
/// Turns the gateway.* HOCON tree into <see cref="GatewaySettings"/>, checking every value; the first bad one stops
/// with a <see cref="ConfigurationError"/> naming its key. Reads files (users-file) but creates nothing.
/// </summary>
public static class SettingsReader
{
    /// <param name="baseDirectory">Where relative paths in the configuration start (the config file's directory).</param>
    /// <param name="dataDirectoryOverride">--data-dir from the command line, which wins over the file.</param>
    /// <param name="environmentDataDirectory">$GATEWAY_DATA, used when the file leaves data-dir empty.</param>
    public static GatewaySettings Read(Config config, string baseDirectory, string? dataDirectoryOverride = null,
        string? environmentDataDirectory = null)
    {
        var v = new HoconValues(config);
        string Resolve(string path) => Path.GetFullPath(Path.Combine(baseDirectory, path));
        string? OptionalPath(string key) => v.String(key) is { Length: > 0 } p ? Resolve(p) : null;

        var listen = new List<IPAddress>();
        foreach (string text in v.StringList("gateway.listen"))
        {
            if (!IPAddress.TryParse(text, out IPAddress? address))
                throw new ConfigurationError("gateway.listen", $"'{text}' is not an IP address");
            listen.Add(address);
        }
        if (listen.Count == 0)
            throw new ConfigurationError("gateway.listen", "at least one address is needed");
        if (listen.Distinct().Count() != listen.Count)
            throw new ConfigurationError("gateway.listen", "an address is listed twice");

        int ikePort = v.Int("gateway.ports.ike", 1, 65535);
        int natPort = v.Int("gateway.ports.nat-t", 1, 65535);
        if (ikePort == natPort)
            throw new ConfigurationError("gateway.ports.nat-t", "must differ from gateway.ports.ike");

        string identity = v.String("gateway.identity").Trim();
        if (identity.Length == 0)
            throw new ConfigurationError("gateway.identity", "must not be empty (clients dial this name)");

        string dataDirectory = DataDirectory(v, baseDirectory, dataDirectoryOverride, environmentDataDirectory);

        string? certificate = OptionalPath("gateway.certificate");
        string? privateKey = OptionalPath("gateway.private-key");
        if ((certificate is null) != (privateKey is null))
            throw new ConfigurationError(certificate is null ? "gateway.certificate" : "gateway.private-key",
                "certificate and private-key must be set together (or both left empty for the development PKI)");
        RequireFile("gateway.certificate", certificate);
        RequireFile("gateway.private-key", privateKey);
        var trustedCas = v.StringList("gateway.trusted-cas").Select(Resolve).ToList();
        foreach (string ca in trustedCas)
            RequireFile("gateway.trusted-cas", ca);

        var ikeProposals = Proposals(v, "gateway.proposals.ike", ProtocolId.Ike);
        var espProposals = Proposals(v, "gateway.proposals.esp", ProtocolId.Esp);

        IPNetwork? ipv4Pool = Pool(v, "gateway.pools.ipv4", AddressFamily.InterNetwork, minHostBits: 2);
        IPNetwork? ipv6Pool = Pool(v, "gateway.pools.ipv6", AddressFamily.InterNetworkV6, minHostBits: 2);
        if (ipv4Pool is null && ipv6Pool is null)
            throw new ConfigurationError("gateway.pools", "at least one of ipv4 and ipv6 must be set");
        var dns = new List<IPAddress>();
        foreach (string text in v.StringList("gateway.pools.dns"))
            dns.Add(IPAddress.TryParse(text, out IPAddress? a) ? a : throw new ConfigurationError("gateway.pools.dns", $"'{text}' is not an IP address"));

        var subnets = new List<IPNetwork>();
        foreach (string text in v.StringList("gateway.protected-subnets"))
            subnets.Add(Network("gateway.protected-subnets", text));

        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (OptionalPath("gateway.auth.eap-mschapv2.users-file") is { } usersFile)
        {
            RequireFile("gateway.auth.eap-mschapv2.users-file", usersFile);
            foreach ((string name, string password) in UsersFile.Parse(File.ReadAllLines(usersFile), "gateway.auth.eap-mschapv2.users-file"))
                users[name] = password;
        }
        foreach ((string name, string password) in v.StringMap("gateway.auth.eap-mschapv2.users"))
        {
            if (password.Length == 0)
                throw new ConfigurationError("gateway.auth.eap-mschapv2.users", $"user '{name}' has an empty password");
            users[name] = password;
        }
        string demoUser = v.String("gateway.auth.eap-mschapv2.demo-user").Trim();

        var psk = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach ((string id, string secret) in v.StringMap("gateway.auth.psk.secrets"))
        {
            // RFC 7296 §2.15 recommends keys with at least the PRF's strength; refuse the trivially guessable.
            if (secret.Length < 16)
                throw new ConfigurationError("gateway.auth.psk.secrets", $"the secret for '{id}' is shorter than 16 characters");
            psk[id] = Encoding.UTF8.GetBytes(secret);
        }
        bool certificateAuth = v.Bool("gateway.auth.certificates");

        var core = CoreSettingsReader.Read(v) with { ShardCount = ClusterSettingsReader.ShardCount(v), Role = ClusterSettings.GatewayRole };

        string tunName = v.String("gateway.tun.name");
        if (tunName.Length is 0 or > 15 || tunName.Any(c => c <= ' ' || c > '~' || c == '/'))
            throw new ConfigurationError("gateway.tun.name", $"'{tunName}' is not an interface name (1-15 printable characters, no '/')");
        // 1280 is the IPv6 minimum MTU: the pools may carry IPv6.
        int tunMtu = v.Int("gateway.tun.mtu", 1280, 9000);

        int replayWindow = v.Int("gateway.data-plane.replay-window", 64, 1 << 20);
        if ((replayWindow & (replayWindow - 1)) != 0)
            throw new ConfigurationError("gateway.data-plane.replay-window", $"{replayWindow} is not a power of two");
        int workers = v.Int("gateway.data-plane.workers", 0, 1024);
        int queueDepth = v.Int("gateway.data-plane.queue-depth", 16, 1 << 20);
        bool forwarding = v.Bool("gateway.data-plane.enable-forwarding");

        bool metrics = v.Bool("gateway.metrics.enabled");
        string metricsHost = v.String("gateway.metrics.host");
        if (metricsHost.Length == 0)
            throw new ConfigurationError("gateway.metrics.host", "must not be empty");
        int metricsPort = v.Int("gateway.metrics.port", 1, 65535);

        var cluster = ClusterSettingsReader.Read(v);

        return new GatewaySettings
        {
            Listen = listen,
            IkePort = ikePort,
            NatTraversalPort = natPort,
            RawEsp = v.Bool("gateway.raw-esp"),
            Identity = identity,
            DataDirectory = dataDirectory,
            CertificatePath = certificate,
            PrivateKeyPath = privateKey,
            TrustedCaPaths = trustedCas,
            IkeProposals = ikeProposals,
            EspProposals = espProposals,
            Ipv4Pool = ipv4Pool,
            Ipv6Pool = ipv6Pool,
            Dns = dns,
            ProtectedSubnets = subnets,
            EapUsers = users,
            DemoUser = demoUser,
            PreSharedKeys = psk,
            CertificateAuthentication = certificateAuth,
            Core = core,
            DrainTarget = CoreSettingsReader.Redirect(v).DrainTarget,
            TunName = tunName,
            TunMtu = tunMtu,
            ReplayWindow = replayWindow,
            EspWorkers = workers == 0 ? Math.Max(1, Environment.ProcessorCount) : workers,
            QueueDepth = queueDepth,
            EnableForwarding = forwarding,
            MetricsEnabled = metrics,
            MetricsHost = metricsHost,
            MetricsPort = metricsPort,
            Cluster = cluster,
            Persistence = PersistenceSettingsReader.Read(v, baseDirectory, dataDirectory),
            SteeringForwardPort = v.Int("gateway.steering.forward-port", 0, 65535),
            AkkaOverrides = config.HasPath("akka") ? config : null,
        };
    }

    private static void RequireFile(string key, string? path)
    {
        if (path is not null && !File.Exists(path))
            throw new ConfigurationError(key, $"file '{path}' does not exist");
    }

    private static IReadOnlyList<Proposal> Proposals(HoconValues v, string key, ProtocolId protocol)
    {
        var texts = v.StringList(key);
        if (texts.Count == 0)
            throw new ConfigurationError(key, "at least one proposal is needed");
        var result = new List<Proposal>();
        foreach (string text in texts)
        {
            var parsed = ProposalSyntax.Parse(text, protocol, (byte)(result.Count + 1));
            if (!parsed.IsSuccess)
                throw new ConfigurationError(key, parsed.Error!);
            if (Unsupported(parsed.Proposal!, protocol) is { } problem)
                throw new ConfigurationError(key, $"'{text}': {problem} is not implemented");
            result.Add(parsed.Proposal!);
        }
        return result;
    }

    // Only offer what the crypto library implements: accepting a proposal we cannot run would fail mid-exchange.
    private static string? Unsupported(Proposal proposal, ProtocolId protocol)
    {
        var integrities = proposal.OfType(TransformType.Integrity).Select(t => (IntegrityAlgorithm)t.Id).DefaultIfEmpty(IntegrityAlgorithm.None).ToList();
        foreach (Transform t in proposal.OfType(TransformType.Encryption))
        {
            var encryption = (EncryptionAlgorithm)t.Id;
            int bits = t.KeyLength ?? 0;
            if (!TransformSizes.IsSupported(encryption, bits))
                return $"encryption {encryption}/{bits}";
            if (protocol == ProtocolId.Esp && integrities.Any(i => !EspTransformFactory.IsSupported(encryption, bits, i)))
                return $"ESP {encryption}/{bits} with {string.Join("/", integrities)}";
        }
        foreach (Transform t in proposal.OfType(TransformType.Integrity))
        {
            if (!TransformSizes.IsSupported((IntegrityAlgorithm)t.Id))
                return $"integrity {(IntegrityAlgorithm)t.Id}";
        }
        foreach (Transform t in proposal.OfType(TransformType.KeyExchange))
        {
            if (!KeyExchangeFactory.IsSupported((KeyExchangeGroup)t.Id))
                return $"key exchange {(KeyExchangeGroup)t.Id}";
        }
        return null;
    }

    private static IPNetwork? Pool(HoconValues v, string key, AddressFamily family, int minHostBits)
    {
        string text = v.String(key).Trim();
        if (text.Length == 0)
            return null;
        IPNetwork network = Network(key, text);
        if (network.BaseAddress.AddressFamily != family)
            throw new ConfigurationError(key, $"'{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} prefix");
        int bits = family == AddressFamily.InterNetwork ? 32 : 128;
        if (bits - network.PrefixLength < minHostBits)
            throw new ConfigurationError(key, $"'{text}' is too small (the gateway takes the first address; clients need the rest)");
        return network;
    }

    /// <summary>
    /// The data directory: --data-dir, else gateway.data-dir (relative to the config file), else $GATEWAY_DATA, else
    /// ./data. The control commands find the running gateway's socket the same way.
    /// </summary>
    public static string DataDirectory(Config config, string baseDirectory, string? dataDirectoryOverride, string? environmentDataDirectory) =>
        DataDirectory(new HoconValues(config), baseDirectory, dataDirectoryOverride, environmentDataDirectory);

    private static string DataDirectory(HoconValues v, string baseDirectory, string? dataDirectoryOverride, string? environmentDataDirectory) =>
        dataDirectoryOverride is { Length: > 0 } cli ? Path.GetFullPath(cli)
            : v.String("gateway.data-dir") is { Length: > 0 } fromFile ? Path.GetFullPath(Path.Combine(baseDirectory, fromFile))
            : environmentDataDirectory is { Length: > 0 } env ? Path.GetFullPath(env)
            : Path.GetFullPath("data");

    internal static IPNetwork Network(string key, string text)
    {
        // A prefix, not an address in it: "10.0.0.1/24" is refused rather than silently widened to 10.0.0.0/24.
        string trimmed = text.Trim();
        int slash = trimmed.IndexOf('/');
        if (slash < 0 || !IPNetwork.TryParse(trimmed, out IPNetwork network)
            || !IPAddress.TryParse(trimmed[..slash], out IPAddress? address) || !address.Equals(network.BaseAddress))
            throw new ConfigurationError(key, $"'{text}' is not a prefix like 10.0.0.0/24 (no host bits set)");
        return network;
    }
}
