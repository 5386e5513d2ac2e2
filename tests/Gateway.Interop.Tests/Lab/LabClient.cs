using System.Net;
using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Lab;

public enum ClientKind
{
    /// <summary>charon-cmd (ops/lab/client-cmd.sh): modes eap and cert, IPv4 outer only.</summary>
    CharonCmd,

    /// <summary>charon + swanctl (ops/lab/client-swanctl.sh): modes psk, eap, cert; asks for an IPv4 and an IPv6 address.</summary>
    Swanctl,
}

/// <summary>A real strongSwan client in the lab's client namespace.</summary>
public sealed partial class LabClient : IAsyncDisposable
{
    private readonly LabTopology _lab;
    private bool _started;

    private LabClient(LabTopology lab, ClientKind kind, string name, string workDir)
    {
        _lab = lab;
        Kind = kind;
        Name = name;
        WorkDir = workDir;
    }

    public ClientKind Kind { get; }
    public string Name { get; }
    public string WorkDir { get; }

    private string Script => LabEnvironment.Script(Kind == ClientKind.CharonCmd ? "client-cmd.sh" : "client-swanctl.sh");

    public string LogPath => Path.Combine(WorkDir, Kind == ClientKind.CharonCmd ? "charon-cmd.log" : "charon.log");

    public string Log => LabLogs.Read(LogPath);

    public string LogTail(int lines = 60) => LabLogs.Tail(LogPath, lines);

    /// <summary>
    /// Starts the client and waits until its CHILD_SA is up (the scripts wait up to 30 s and fail otherwise).
    /// With <paramref name="wait"/> false it returns once the client is started (for failures that are expected).
    /// <paramref name="daemonExtra"/> goes into the client's strongswan.conf section (LAB_DAEMON_EXTRA).
    /// </summary>
    public static Task<LabClient> StartAsync(LabTopology lab, ClientKind kind, string name, string mode,
        bool wait = true, string? daemonExtra = null, params string[] options) =>
        StartAsync(lab, kind, name, mode, wait, daemonExtra, logLevels: null, options);

    /// <param name="logLevels">The client's file log levels (CLIENT_LOGLEVELS, strongswan.conf syntax); null: the lab's default (key dumps).</param>
    public static async Task<LabClient> StartAsync(LabTopology lab, ClientKind kind, string name, string mode,
        bool wait, string? daemonExtra, string? logLevels, params string[] options)
    {
        var client = new LabClient(lab, kind, name, lab.NewDir("client-" + name));
        string[] args = [client.Script, "start", lab.Prefix, client.WorkDir, lab.PkiDir, mode, .. options];
        if (!wait)
            args = [.. args, "--no-wait"];
        client._started = true;
        var environment = new Dictionary<string, string> { ["LAB_DAEMON_EXTRA"] = daemonExtra ?? "" };
        if (logLevels is not null)
            environment["CLIENT_LOGLEVELS"] = logLevels;
        CommandResult r = await Shell.RunAsync("bash", args, TimeSpan.FromSeconds(60), environment);
        if (!r.Succeeded)
        {
            string tail = client.LogTail();
            await client.DisposeAsync();
            throw new LabException($"client {name} did not come up: {r.Describe()}\n{tail}");
        }
        return client;
    }

    [GeneratedRegex(@"installing new virtual IP (\S+)")]
    private static partial Regex VirtualIpLine();

    /// <summary>The virtual IPs the client logged as installed (strongSwan: "installing new virtual IP …").</summary>
    public IReadOnlyList<IPAddress> LoggedVirtualIps() =>
        VirtualIpLine().Matches(Log).Select(m => IPAddress.Parse(m.Groups[1].Value)).Distinct().ToList();

    /// <summary>
    /// The addresses on the client's TUN devices (libipsec's ipsecN) in the client namespace, read with `ip addr`.
    /// </summary>
    public async Task<IReadOnlyList<(string Device, IPAddress Address)>> TunAddressesAsync()
    {
        CommandResult r = await Shell.CheckAsync("ip", ["-n", _lab.ClientNs, "-o", "addr", "show"], TimeSpan.FromSeconds(10),
            "ip addr show in the client namespace");
        var list = new List<(string, IPAddress)>();
        foreach (string line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "3: ipsec0    inet 10.99.100.1/32 scope global ipsec0\ ..."
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !f[1].StartsWith("ipsec", StringComparison.Ordinal) || (f[2] != "inet" && f[2] != "inet6"))
                continue;
            list.Add((f[1], IPAddress.Parse(f[3].Split('/')[0])));
        }
        return list;
    }

    /// <summary>Runs swanctl against this client's charon (swanctl clients only) and returns its output.</summary>
    public async Task<string> SwanctlAsync(params string[] args)
    {
        if (Kind != ClientKind.Swanctl)
            throw new InvalidOperationException("only charon + swanctl clients have a vici socket");
        CommandResult r = await Shell.CheckAsync("swanctl", [.. args, "--uri", "unix://" + Path.Combine(WorkDir, "vici.sock")],
            TimeSpan.FromSeconds(60), "swanctl " + string.Join(' ', args));
        return r.StdOut;
    }

    /// <summary>`swanctl --list-sas`: the client's IKE SA with its addresses and its child SAs.</summary>
    public Task<string> ListSasAsync() => SwanctlAsync("--list-sas");

    [GeneratedRegex(@"<[^|>]+\|(\d+)> generating IKE_SA_INIT request")]
    private static partial Regex InitiatingLine();

    [GeneratedRegex(@"IKE_SA \S+\[\d+\] established between")]
    private static partial Regex EstablishedLine();

    /// <summary>
    /// The IKE SAs this client started with IKE_SA_INIT, by charon's unique id: an IKE_SA_INIT repeated after
    /// INVALID_KE_PAYLOAD or a cookie keeps the id, a new connection attempt gets a new one; an IKE SA made by a rekey
    /// (CREATE_CHILD_SA) is not counted.
    /// </summary>
    public IReadOnlyList<string> InitiatedIkeSas() => InitiatingLine().Matches(Log).Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>How often the client logged an IKE SA as established by IKE_AUTH (an IKE rekey logs no such line).</summary>
    public int IkeSasEstablished() => EstablishedLine().Matches(Log).Count;

    /// <summary>Polls `swanctl --list-sas` until its output matches <paramref name="pattern"/>; returns the output.</summary>
    public async Task<string> WaitForSasAsync(string pattern, TimeSpan timeout, string what)
    {
        string last = "";
        var re = new Regex(pattern);
        bool ok = await Poll.UntilAsync(async () => re.IsMatch(last = await ListSasAsync()), timeout, TimeSpan.FromMilliseconds(100));
        if (!ok)
            throw new LabException($"client {Name}: {what} did not happen within {timeout.TotalSeconds:0} s; its SAs:\n{last}");
        return last;
    }

    /// <summary>Polls the client's log until it matches <paramref name="pattern"/>.</summary>
    public async Task WaitForLogAsync(string pattern, TimeSpan timeout, string what)
    {
        var re = new Regex(pattern);
        if (!await Poll.UntilAsync(() => re.IsMatch(Log), timeout, TimeSpan.FromMilliseconds(100)))
            throw new LabException($"client {Name}: {what} (log /{pattern}/) not seen within {timeout.TotalSeconds:0} s");
    }

    public async Task StopAsync()
    {
        if (!_started)
            return;
        _started = false;
        await Shell.RunAsync("bash", [Script, "stop", WorkDir], TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
