using System.Net;

namespace Gateway.Interop.Tests.Lab;

/// <summary>The lab's constants, as in ops/lab/common.sh (which the scripts use). Every address is inside the lab.</summary>
public static class LabConstants
{
    public const string ClientV4 = "10.99.1.2";
    public const string GatewayOuterV4 = "10.99.1.1";
    public const string GatewayOuterV6 = "fd99:0:0:1::1";
    /// <summary>The gateway namespace's second outer address (a second gateway instance for redirect scenarios).</summary>
    public const string Gateway2OuterV4 = "10.99.1.3";
    public const string ServerV4 = "10.99.2.2";
    public const string ServerV6 = "fd99:0:0:2::2";
    public const string ProtectedV4 = "10.99.2.0/24";
    public const string ProtectedV6 = "fd99:0:0:2::/64";
    public const string PoolV4 = "10.99.100.0/24";
    public const string PoolV6 = "fd99:0:0:100::/112";
    public const string GatewayId = "gw.lab.example";
    public const string EapUser = "alice";
    public const string EapPassword = "lab-alice-pw";
    public const string PskId = "psk-client.lab.example";
    public const string Psk = "lab-pre-shared-key-0123456789";
    public const string ClientCertId = "client.lab.example";

    public static bool InPool(IPAddress address) =>
        IPNetwork.Parse(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? PoolV4 : PoolV6)
            .Contains(address);
}

/// <summary>
/// One lab: three network namespaces (client, gateway, server) from ops/lab/topology.sh under a prefix unique to this
/// run, a work directory, and the lab PKI (ops/lab/pki.sh). Disposing removes the namespaces (which also ends whatever
/// still runs in them); the work directory is removed too unless <see cref="KeepWorkDir"/> was set (a failure).
/// </summary>
public sealed class LabTopology : IAsyncDisposable
{
    private bool _up;

    private LabTopology(string prefix, string workDir)
    {
        Prefix = prefix;
        WorkDir = workDir;
    }

    public string Prefix { get; }
    public string WorkDir { get; }
    public string PkiDir => Path.Combine(WorkDir, "pki");
    public string ClientNs => Prefix + "-c";
    public string GatewayNs => Prefix + "-g";
    public string ServerNs => Prefix + "-s";

    /// <summary>Set when something failed, so the logs stay for a look (INTEROP_KEEP_WORK=1 keeps them always).</summary>
    public bool KeepWorkDir { get; set; } = Environment.GetEnvironmentVariable("INTEROP_KEEP_WORK") == "1";

    /// <param name="stem">The prefix's first letters (a test's own, so its namespaces are told apart).</param>
    public static async Task<LabTopology> CreateAsync(string stem = "gwi")
    {
        LabEnvironment.RequireRoot();
        // INTEROP_PREFIX: a namespace prefix of one's own (several people's labs on one machine), made unique per lab.
        string prefix = (Environment.GetEnvironmentVariable("INTEROP_PREFIX") is { Length: > 0 and <= 6 } own ? own : stem)
                        + Convert.ToHexString(Guid.NewGuid().ToByteArray()[..3]).ToLowerInvariant();
        string work = Path.Combine(Path.GetTempPath(), "gateway-interop-" + prefix);
        Directory.CreateDirectory(work);
        var lab = new LabTopology(prefix, work);
        try
        {
            await Shell.CheckAsync("bash", [LabEnvironment.Script("topology.sh"), "up", prefix], TimeSpan.FromSeconds(30),
                "topology.sh up");
            lab._up = true;
            await Shell.CheckAsync("bash", [LabEnvironment.Script("pki.sh"), lab.PkiDir], TimeSpan.FromSeconds(60),
                "pki.sh");
            return lab;
        }
        catch
        {
            lab.KeepWorkDir = true;
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh sub-directory of the work directory.</summary>
    public string NewDir(string name)
    {
        string dir = Path.Combine(WorkDir, name);
        for (int i = 2; Directory.Exists(dir); i++)
            dir = Path.Combine(WorkDir, $"{name}-{i}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a command in one of the lab's namespaces (ip netns exec).</summary>
    public Task<CommandResult> ExecAsync(string ns, TimeSpan timeout, params string[] command) =>
        Shell.RunAsync("ip", ["netns", "exec", ns, .. command], timeout);

    public async ValueTask DisposeAsync()
    {
        if (_up)
        {
            _up = false;
            await Shell.RunAsync("bash", [LabEnvironment.Script("topology.sh"), "down", Prefix], TimeSpan.FromSeconds(60));
        }
        if (!KeepWorkDir)
        {
            try { Directory.Delete(WorkDir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
