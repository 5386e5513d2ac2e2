using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Lab;

/// <summary>
/// Our gateway as several cluster nodes sharing the lab gateway's addresses (ops/lab/gateway-cluster.sh): start a node
/// and wait until it is ready, stop it with SIGTERM (graceful leave) or SIGKILL, find which node owns a client's
/// virtual address (its host route names the node's TUN device gwI), count journal writes.
/// </summary>
public sealed class GatewayCluster(LabTopology lab, int nodes)
{
    public string WorkDir { get; } = lab.NewDir("cluster");
    public int Nodes => nodes;

    public string LogPath(int node) => Path.Combine(WorkDir, $"node{node}", "gateway.log");

    public string JournalPath => Path.Combine(WorkDir, "journal.db");

    public Task StartAsync(int node) => Shell.CheckAsync("bash",
        [LabEnvironment.Script("gateway-cluster.sh"), "start", lab.Prefix, WorkDir, lab.PkiDir, Num(node), Num(nodes)],
        TimeSpan.FromSeconds(120), $"gateway-cluster.sh start node {node}", GatewayDllEnvironment());

    /// <summary>SIGTERM waits for the node to leave (up to 30 s); KILL is immediate.</summary>
    public Task StopAsync(int node, string signal) => Shell.CheckAsync("bash",
        [LabEnvironment.Script("gateway-cluster.sh"), "stop", WorkDir, Num(node), signal],
        TimeSpan.FromSeconds(60), $"gateway-cluster.sh stop node {node} {signal}");

    public async Task StopAllAsync()
    {
        for (int node = nodes; node >= 1; node--)
            await StopAsync(node, "TERM");
    }

    /// <summary>Virtual address → node number, from the host routes in the gateway namespace.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RouteOwnersAsync()
    {
        CommandResult r = await lab.ExecAsync(lab.GatewayNs, TimeSpan.FromSeconds(10), "ip", "-4", "route", "show");
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(r.StdOut, @"^(\d+\.\d+\.\d+\.\d+) dev gw(\d+)", RegexOptions.Multiline))
            owners[m.Groups[1].Value] = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return owners;
    }

    /// <summary>Rows ever written to the journal (its ordering column only grows), the live rows and their bytes.</summary>
    public async Task<(long Writes, long LiveRows, long LiveBytes)> JournalAsync()
    {
        CommandResult r = await Shell.RunAsync("sqlite3",
            [JournalPath, "SELECT COALESCE(MAX(ordering),0), COUNT(*), COALESCE(SUM(LENGTH(message)),0) FROM journal;"], TimeSpan.FromSeconds(20));
        long[] parts = r.Succeeded ? [.. r.StdOut.Trim().Split('|').Select(p => long.TryParse(p, CultureInfo.InvariantCulture, out long v) ? v : -1)] : [];
        return parts.Length == 3 ? (parts[0], parts[1], parts[2]) : (-1, -1, -1);
    }

    /// <summary>Child SA rekeys the nodes logged (each node logs the rekeys of the SAs it owns).</summary>
    public int ChildRekeys() => Enumerable.Range(1, nodes).Sum(n =>
        Regex.Matches(LabLogs.Read(LogPath(n)), @"child SA [0-9a-f]{8} rekeyed").Count);

    public string LogTails() => string.Join("\n", Enumerable.Range(1, nodes).Select(n =>
        $"--- node {n}: {LogPath(n)} ---\n" + LabLogs.Tail(LogPath(n), 30)));

    private static Dictionary<string, string> GatewayDllEnvironment() => new() { ["GATEWAY_DLL"] = LabEnvironment.GatewayDll };

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
