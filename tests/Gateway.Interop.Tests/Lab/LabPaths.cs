namespace Gateway.Interop.Tests.Lab;

/// <summary>The client's paths to the gateway (ops/lab/paths.sh): the direct link, a second network, a NAT router.</summary>
public enum ClientPath
{
    /// <summary>outside: 10.99.1.2 and fd99:0:0:1::2 (topology.sh; the other scenarios use it).</summary>
    Direct,

    /// <summary>outside2, IPv4 only: 10.99.3.2.</summary>
    Second4,

    /// <summary>outside2, IPv6 only: fd99:0:0:3::2.</summary>
    Second6,

    /// <summary>lan, 10.99.4.2 behind the router's masquerade (10.99.5.2 or .3 as the gateway sees it).</summary>
    Nat,
}

/// <summary>ops/lab/paths.sh for one lab: more client paths, NAT rebinding, silencing, a small MTU.</summary>
public static class LabPaths
{
    public const string Client2V4 = "10.99.3.2";
    public const string Client2V6 = "fd99:0:0:3::2";
    public const string LanClientV4 = "10.99.4.2";
    public static readonly string[] RouterOuterV4 = ["10.99.5.2", "10.99.5.3"];

    private static Task Run(LabTopology lab, string what, params string[] args) =>
        Shell.CheckAsync("bash", [LabEnvironment.Script("paths.sh"), args[0], lab.Prefix, .. args[1..]],
            TimeSpan.FromSeconds(30), "paths.sh " + what);

    public static Task UpAsync(LabTopology lab) => Run(lab, "up", "up");

    /// <summary>Makes <paramref name="path"/> the client's only path (the new address first, then the others go).</summary>
    public static Task UseAsync(LabTopology lab, ClientPath path) =>
        Run(lab, "use " + path, "use", path.ToString().ToLowerInvariant());

    /// <summary>The NAT router's outer address changes: every mapping of the client changes.</summary>
    public static Task NatRemapAsync(LabTopology lab) => Run(lab, "nat-remap", "nat-remap");

    /// <summary>Drops everything the client namespace sends or receives (except loopback and its TUN).</summary>
    public static Task BlockAsync(LabTopology lab) => Run(lab, "block", "block");

    public static Task UnblockAsync(LabTopology lab) => Run(lab, "unblock", "unblock");

    /// <summary>MTU 1280 on the client's direct link and IP fragments dropped in the client namespace.</summary>
    public static Task SmallMtuAsync(LabTopology lab, bool on) => Run(lab, "small-mtu", "small-mtu", on ? "on" : "off");

    /// <summary>Back to the state the other scenarios expect: direct path, nothing blocked, normal MTU.</summary>
    public static async Task RestoreAsync(LabTopology lab)
    {
        await UnblockAsync(lab);
        await SmallMtuAsync(lab, on: false);
        await UseAsync(lab, ClientPath.Direct);
    }

    /// <summary>A client certificate under two RSA-4096 intermediate CAs (ops/lab/pki-chain.sh), made once per lab.</summary>
    public static async Task<string> CertificateChainAsync(LabTopology lab)
    {
        string dir = Path.Combine(lab.WorkDir, "pki-chain");
        await Shell.CheckAsync("bash", [LabEnvironment.Script("pki-chain.sh"), lab.PkiDir, dir], TimeSpan.FromSeconds(120),
            "pki-chain.sh");
        return dir;
    }
}
