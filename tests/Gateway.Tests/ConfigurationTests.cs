using System.Net;
using Gateway.Configuration;
using Gateway.Ike;

namespace Gateway.Tests;

public class ConfigurationTests
{
    private static GatewaySettings Read(string? userConfig, TempDirectory dir) => UserConfig.Read(userConfig, dir);

    [Fact]
    public void Embedded_defaults_load_with_documented_values()
    {
        using var dir = new TempDirectory();
        GatewaySettings s = Read(null, dir);
        Assert.Equal([IPAddress.Any, IPAddress.IPv6Any], s.Listen);
        Assert.Equal(500, s.IkePort);
        Assert.Equal(4500, s.NatTraversalPort);
        Assert.True(s.RawEsp);
        Assert.Null(s.CertificatePath); // development PKI
        Assert.Equal(IPNetwork.Parse("10.77.0.0/16"), s.Ipv4Pool);
        Assert.Equal(IPNetwork.Parse("fd77::/112"), s.Ipv6Pool);
        Assert.Empty(s.ProtectedSubnets);
        Assert.Equal("demo", s.DemoUser);
        Assert.Equal("gw0", s.TunName);
        Assert.Equal(1400, s.TunMtu);
        Assert.Equal(1024, s.ReplayWindow);
        Assert.True(s.EspWorkers >= 1);
        Assert.Equal(9477, s.MetricsPort);
        Assert.Equal("127.0.0.1", s.MetricsHost);
        Assert.Empty(s.Cluster.SeedNodes);
        Assert.Equal(4053, s.Cluster.Port);
        Assert.Equal(Path.GetFullPath("data"), s.DataDirectory);
    }

    [Fact]
    public void Default_proposals_accept_windows_and_modern_suites()
    {
        using var dir = new TempDirectory();
        GatewaySettings s = Read(null, dir);
        var ike = s.IkeProposals.Select(ProposalSyntax.Format).ToList();
        Assert.Contains(ike, p => p.Contains("3des") && p.Contains("sha1") && p.Contains("modp1024"));
        Assert.Contains(ike, p => p.Contains("aes128gcm16") && p.Contains("modp1024")); // Windows 11
        Assert.Contains(ike, p => p.Contains("aes256gcm16") && p.Contains("curve25519") && p.Contains("ecp256"));
        var esp = s.EspProposals.Select(ProposalSyntax.Format).ToList();
        Assert.Contains(esp, p => p.Contains("aes256") && p.Contains("sha1"));
        Assert.Contains(esp, p => p.Contains("3des"));
        Assert.Contains(esp, p => p.Contains("aes128gcm16"));
    }

    [Fact]
    public void User_file_includes_the_defaults_and_overrides_keys()
    {
        using var dir = new TempDirectory();
        dir.Write("users.txt", "# comment\nbob = pass=word\n\ncarol=secret2\n");
        GatewaySettings s = Read("""
            include "gateway.conf"
            gateway {
              identity = "gw.lab.example"
              tun.mtu = 1380
              protected-subnets = ["10.99.2.0/24", "fd99:0:0:2::/64"]
              pools.dns = ["10.99.2.53"]
              auth.eap-mschapv2 { users-file = "users.txt", users { alice = "a-pass", bob = "inline-wins" } }
              auth.psk.secrets { "psk-client.lab.example" = "lab-pre-shared-key-0123456789" }
              cluster.seed-nodes = ["akka.tcp://gateway@10.0.0.1:4053"]
            }
            """, dir);
        Assert.Equal("gw.lab.example", s.Identity);
        Assert.Equal(1380, s.TunMtu);
        Assert.Equal("gw0", s.TunName); // not overridden: from the included defaults
        Assert.Equal([IPNetwork.Parse("10.99.2.0/24"), IPNetwork.Parse("fd99:0:0:2::/64")], s.ProtectedSubnets);
        Assert.Equal([IPAddress.Parse("10.99.2.53")], s.Dns);
        Assert.Equal("a-pass", s.EapUsers["alice"]);
        Assert.Equal("inline-wins", s.EapUsers["bob"]);
        Assert.Equal("secret2", s.EapUsers["carol"]);
        Assert.Equal("lab-pre-shared-key-0123456789"u8.ToArray(), s.PreSharedKeys["psk-client.lab.example"]);
        Assert.Equal(["akka.tcp://gateway@10.0.0.1:4053"], s.Cluster.SeedNodes);
    }

    [Fact]
    public void A_file_next_to_the_config_wins_over_the_embedded_include()
    {
        using var dir = new TempDirectory();
        dir.Write("site.conf", "gateway.tun.name = \"site0\"\n");
        GatewaySettings s = Read("include \"site.conf\"\ngateway.identity = \"x.example\"\n", dir);
        Assert.Equal("site0", s.TunName);
        Assert.Equal("x.example", s.Identity);
    }

    [Fact]
    public void The_lab_example_loads()
    {
        string example = Path.Combine(RepoRoot(), "hocon", "examples", "lab.conf");
        GatewaySettings s = SettingsReader.Read(HoconLoader.Load(example), Path.GetDirectoryName(example)!);
        Assert.Equal("gw.lab.example", s.Identity);
        Assert.Equal(IPNetwork.Parse("10.99.100.0/24"), s.Ipv4Pool);
    }

    [Fact]
    public void The_three_node_examples_differ_only_in_what_is_their_own()
    {
        var nodes = new[] { 1, 2, 3 }.Select(n =>
        {
            string example = Path.Combine(RepoRoot(), "hocon", "examples", $"node{n}.conf");
            return SettingsReader.Read(HoconLoader.Load(example), Path.GetDirectoryName(example)!);
        }).ToList();
        for (int i = 0; i < nodes.Count; i++)
        {
            var s = nodes[i];
            Assert.Equal($"10.0.0.{i + 1}", s.Cluster.Hostname);
            Assert.Equal(4053, s.Cluster.Port);
            Assert.Equal($"/var/lib/gateway/node{i + 1}", s.DataDirectory);
            // This node is one of the seeds every node lists.
            Assert.Contains($"akka.tcp://gateway@10.0.0.{i + 1}:4053", s.Cluster.SeedNodes);
            Assert.Equal(nodes[0].Cluster.SeedNodes, s.Cluster.SeedNodes);
            Assert.Equal(100, s.Core.ShardCount);
            Assert.Equal(["gateway"], s.Cluster.Roles);
            Assert.Equal("keep-majority", s.Cluster.SplitBrainStrategy);
            Assert.Equal("postgresql", s.Persistence!.Provider);
            Assert.Equal(nodes[0].Persistence!.ConnectionString, s.Persistence.ConnectionString);
            Assert.Equal(nodes[0].Ipv4Pool, s.Ipv4Pool);
        }
    }

    [Fact]
    public void Cluster_defaults_and_overrides()
    {
        using var dir = new TempDirectory();
        var defaults = Read(null, dir).Cluster;
        Assert.Equal(["gateway"], defaults.Roles);
        Assert.Equal("keep-majority", defaults.SplitBrainStrategy);
        Assert.Equal(TimeSpan.FromSeconds(20), defaults.StableAfter);
        Assert.Null(defaults.DownRemovalMargin); // the resolver's stable-after
        Assert.Equal(100, Read(null, dir).Core.ShardCount);

        var s = Read("""
            gateway.cluster {
              roles = ["gateway", "edge-a"]
              shard-count = 300
              split-brain-resolver { active-strategy = keep-oldest, stable-after = 7s, down-removal-margin = 12s }
            }
            """, dir);
        Assert.Equal(["gateway", "edge-a"], s.Cluster.Roles);
        Assert.Equal(300, s.Core.ShardCount);
        Assert.Equal("keep-oldest", s.Cluster.SplitBrainStrategy);
        Assert.Equal(TimeSpan.FromSeconds(7), s.Cluster.StableAfter);
        Assert.Equal(TimeSpan.FromSeconds(12), s.Cluster.DownRemovalMargin);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_config_directory_and_data_dir_precedence()
    {
        using var dir = new TempDirectory();
        dir.Write("gw.crt", "x");
        dir.Write("gw.key", "x");
        string file = dir.Write("user.conf", "gateway { certificate = \"gw.crt\", private-key = \"gw.key\", data-dir = \"state\" }");
        var config = HoconLoader.Load(file);
        GatewaySettings s = SettingsReader.Read(config, dir.Path, environmentDataDirectory: "/env/data");
        Assert.Equal(Path.Combine(dir.Path, "gw.crt"), s.CertificatePath);
        Assert.Equal(Path.Combine(dir.Path, "state"), s.DataDirectory); // the file wins over $GATEWAY_DATA
        Assert.Equal("/cli/data", SettingsReader.Read(config, dir.Path, "/cli/data", "/env/data").DataDirectory);
        Assert.Equal("/env/data", SettingsReader.Read(HoconLoader.Defaults(), dir.Path, null, "/env/data").DataDirectory);
    }

    [Theory]
    [InlineData("gateway.listen = [\"0.0.0.0\", \"not-an-ip\"]", "gateway.listen", "not-an-ip")]
    [InlineData("gateway.listen = []", "gateway.listen", "at least one")]
    [InlineData("gateway.ports.ike = 70000", "gateway.ports.ike", "out of range")]
    [InlineData("gateway.ports.nat-t = 500", "gateway.ports.nat-t", "differ")]
    [InlineData("gateway.raw-esp = maybe", "gateway.raw-esp", "on/off")]
    [InlineData("gateway.identity = \"\"", "gateway.identity", "empty")]
    [InlineData("gateway.certificate = \"missing.crt\"\ngateway.private-key = \"missing.key\"", "gateway.certificate", "does not exist")]
    [InlineData("gateway.certificate = \"x.crt\"", "gateway.private-key", "together")]
    [InlineData("gateway.trusted-cas = [\"nope.pem\"]", "gateway.trusted-cas", "does not exist")]
    [InlineData("gateway.proposals.ike = [\"aes256-sha256-modp2049\"]", "gateway.proposals.ike", "modp2049")]
    [InlineData("gateway.proposals.ike = []", "gateway.proposals.ike", "at least one")]
    [InlineData("gateway.proposals.esp = [\"aes128ctr-sha256\"]", "gateway.proposals.esp", "not implemented")]
    [InlineData("gateway.proposals.esp = \"aes128gcm16\"", "gateway.proposals.esp", "expected a list")]
    [InlineData("gateway.pools.ipv4 = \"10.77.0.1/16\"", "gateway.pools.ipv4", "prefix")]
    [InlineData("gateway.pools.ipv4 = \"fd00::/64\"", "gateway.pools.ipv4", "IPv4")]
    [InlineData("gateway.pools.ipv6 = \"fd77::/127\"", "gateway.pools.ipv6", "too small")]
    [InlineData("gateway.pools { ipv4 = \"\", ipv6 = \"\" }", "gateway.pools", "at least one")]
    [InlineData("gateway.pools.dns = [\"dns.example\"]", "gateway.pools.dns", "not an IP")]
    [InlineData("gateway.protected-subnets = [\"10.10.0.0/33\"]", "gateway.protected-subnets", "prefix")]
    [InlineData("gateway.auth.eap-mschapv2.users-file = \"nope.txt\"", "gateway.auth.eap-mschapv2.users-file", "does not exist")]
    [InlineData("gateway.auth.eap-mschapv2.users { alice = \"\" }", "gateway.auth.eap-mschapv2.users", "empty password")]
    [InlineData("gateway.auth.eap-mschapv2.users = [\"alice\"]", "gateway.auth.eap-mschapv2.users", "expected an object")]
    [InlineData("gateway.auth.psk.secrets { \"a.example\" = \"short\" }", "gateway.auth.psk.secrets", "shorter than 16")]
    [InlineData("gateway.auth.certificates = 2", "gateway.auth.certificates", "on/off")]
    [InlineData("gateway.ike.half-open-limit = 0", "gateway.ike.half-open-limit", "out of range")]
    [InlineData("gateway.tun.name = \"a-name-that-is-too-long\"", "gateway.tun.name", "interface name")]
    [InlineData("gateway.tun.mtu = 5", "gateway.tun.mtu", "out of range")]
    [InlineData("gateway.tun.mtu = big", "gateway.tun.mtu", "integer")]
    [InlineData("gateway.data-plane.replay-window = 1000", "gateway.data-plane.replay-window", "power of two")]
    [InlineData("gateway.data-plane.replay-window = 32", "gateway.data-plane.replay-window", "out of range")]
    [InlineData("gateway.data-plane.workers = -1", "gateway.data-plane.workers", "out of range")]
    [InlineData("gateway.data-plane.queue-depth = 1", "gateway.data-plane.queue-depth", "out of range")]
    [InlineData("gateway.metrics.port = 0", "gateway.metrics.port", "out of range")]
    [InlineData("gateway.cluster.port = 99999", "gateway.cluster.port", "out of range")]
    [InlineData("gateway.cluster.seed-nodes = [\"10.0.0.1:4053\"]", "gateway.cluster.seed-nodes", "Akka address")]
    [InlineData("gateway.cluster.log-level = LOUD", "gateway.cluster.log-level", "LOUD")]
    [InlineData("gateway.cluster.roles = [\"has space\"]", "gateway.cluster.roles", "role name")]
    [InlineData("gateway.cluster.roles = [\"edge\"]", "gateway.cluster.roles", "must include")]
    [InlineData("gateway.cluster.shard-count = 5", "gateway.cluster.shard-count", "out of range")]
    [InlineData("gateway.cluster.shard-count = many", "gateway.cluster.shard-count", "integer")]
    [InlineData("gateway.cluster.split-brain-resolver.active-strategy = keep-everyone", "gateway.cluster.split-brain-resolver.active-strategy", "keep-majority")]
    [InlineData("gateway.cluster.split-brain-resolver.stable-after = 20", "gateway.cluster.split-brain-resolver.stable-after", "unit")]
    [InlineData("gateway.cluster.split-brain-resolver.stable-after = 0s", "gateway.cluster.split-brain-resolver.stable-after", "out of range")]
    [InlineData("gateway.cluster.split-brain-resolver.down-removal-margin = 1h", "gateway.cluster.split-brain-resolver.down-removal-margin", "out of range")]
    public void A_bad_value_names_its_key_in_one_line(string hocon, string key, string mention) =>
        UserConfig.AssertRefusedInOneLine(hocon, key, mention);

    [Fact]
    public void Broken_hocon_and_missing_includes_are_one_line_errors()
    {
        using var dir = new TempDirectory();
        var syntax = Assert.Throws<ConfigurationError>(() => Read("gateway.tun.mtu = ${undefined-substitution}", dir));
        Assert.StartsWith("configuration error: ", syntax.Message);
        Assert.DoesNotContain('\n', syntax.Message);
        var include = Assert.Throws<ConfigurationError>(() => Read("include \"absent.conf\"", dir));
        Assert.Equal("include", include.Key);
        var missing = Assert.Throws<ConfigurationError>(() => HoconLoader.Load(Path.Combine(dir.Path, "none.conf")));
        Assert.Equal("--config", missing.Key);
    }

    [Fact]
    public void A_users_file_line_without_password_is_rejected_without_echoing_it()
    {
        var error = Assert.Throws<ConfigurationError>(() => UsersFile.Parse(["alice = pw", "bob-secret-line"], "k").ToList());
        Assert.Contains("line 2", error.Message);
        Assert.DoesNotContain("bob-secret-line", error.Message);
    }

    [Fact]
    public void Settings_never_print_secrets()
    {
        using var dir = new TempDirectory();
        GatewaySettings s = Read("gateway.auth.eap-mschapv2.users { alice = \"top-secret-pw\" }", dir);
        Assert.DoesNotContain("top-secret-pw", s.ToString());
    }

    internal static string RepoRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "Gateway.sln")))
            d = Path.GetDirectoryName(d);
        return d ?? throw new InvalidOperationException("repository root not found");
    }
}
