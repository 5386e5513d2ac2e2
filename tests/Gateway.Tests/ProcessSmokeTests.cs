using System.Diagnostics;
using System.Text;

namespace Gateway.Tests;

/// <summary>
/// The built executable as an operator runs it: on embedded defaults, as root, inside a fresh network namespace
/// (so ports 500/4500, the TUN device and the metrics port never meet anything on the host), then SIGTERM.
/// </summary>
public class ProcessSmokeTests
{
    private static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "Gateway.dll");

    [Fact]
    public void Starts_on_embedded_defaults_in_a_namespace_binds_ike_serves_metrics_and_stops_on_sigterm()
    {
        string ns = "gwsmoke" + Environment.ProcessId;
        using var data = new TempDirectory();
        Run("ip", "netns", "add", ns);
        try
        {
            Run("ip", "-n", ns, "link", "set", "lo", "up");
            var output = new StringBuilder();
            using var gateway = Start(["ip", "netns", "exec", ns, "dotnet", GatewayDll], data.Path, output,
                ("GATEWAY_DATA", Path.Combine(data.Path, "state")));
            try
            {
                Eventually.True(() => Text(output).Contains("gateway ready") || gateway.HasExited,
                    "the ready line", timeoutMs: 90_000);
                string log = Text(output);
                Assert.False(gateway.HasExited, log);
                Assert.Contains(Path.Combine(data.Path, "state", "pki", "ca.crt"), log);
                Assert.Matches("demo EAP user created: name 'demo' password '[A-Za-z0-9]{16}'", log);
                Assert.Contains("udp:0.0.0.0:500", log);
                Assert.Contains("udp:[::]:4500", log);

                string sockets = Run("ip", "netns", "exec", ns, "ss", "-uln");
                Assert.Contains("0.0.0.0:500 ", sockets);
                Assert.Contains("0.0.0.0:4500 ", sockets);
                Assert.Contains("[::]:500 ", sockets);
                Assert.Contains("[::]:4500 ", sockets);
                Assert.Contains("gw0", Run("ip", "-n", ns, "link", "show", "gw0"));
                Assert.Contains("10.77.0.0/16 dev gw0", Run("ip", "-n", ns, "route"));

                string metrics = Run("ip", "netns", "exec", ns, "curl", "-sf", "http://127.0.0.1:9477/metrics");
                Assert.Contains("gateway_packets_dropped_total{reason=\"unknown_spi\"}", metrics);
                Assert.Contains("gateway_child_sas 0", metrics);

                // Persistence (issue 5): the SQLite journal with its tables, and a generated 0600 state key, in the data dir.
                string journal = Path.Combine(data.Path, "state", "journal.db");
                // The journal and the snapshot store each create their table when they start, independently.
                Eventually.True(() => SqliteTables(journal).Contains("journal"), "the journal table");
                Eventually.True(() => SqliteTables(journal).Contains("snapshot"), "the snapshot table", timeoutMs: 15_000);
                string stateKey = Path.Combine(data.Path, "state", "state.key");
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stateKey));
                Assert.Contains($"state key generated (development only; keep it safe, id ", Text(output));
                Assert.DoesNotContain(File.ReadAllText(stateKey).Trim(), Text(output));

                Run("kill", "-TERM", gateway.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(gateway.WaitForExit(30_000), "exits within 30 s of SIGTERM");
                gateway.WaitForExit();
                Assert.Equal(0, gateway.ExitCode);
                Assert.Contains("stopped", Text(output));
            }
            finally
            {
                if (!gateway.HasExited)
                    gateway.Kill(entireProcessTree: true);
            }

            // Second start reuses the PKI and does not print the password again.
            var again = new StringBuilder();
            using var second = Start(["ip", "netns", "exec", ns, "dotnet", GatewayDll, "--data-dir", Path.Combine(data.Path, "state")],
                data.Path, again);
            try
            {
                Eventually.True(() => Text(again).Contains("gateway ready") || second.HasExited, "the second ready line", timeoutMs: 90_000);
                string log = Text(again);
                Assert.Contains("development PKI reused", log);
                Assert.Contains("demo EAP user: name 'demo' (password in", log);
                Assert.DoesNotContain("password '", log);
                Run("kill", "-TERM", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(second.WaitForExit(30_000));
                Assert.Equal(0, second.ExitCode);
            }
            finally
            {
                if (!second.HasExited)
                    second.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Run("ip", "netns", "delete", ns);
        }
    }

    [Theory]
    [InlineData("gateway.tun.mtu = 5", "gateway.tun.mtu")]
    [InlineData("gateway.cluster.split-brain-resolver.active-strategy = keep-everyone", "gateway.cluster.split-brain-resolver.active-strategy")]
    [InlineData("gateway.cluster.shard-count = 0", "gateway.cluster.shard-count")]
    public void A_bad_value_stops_start_up_with_one_line_and_exit_code_2(string setting, string key)
    {
        using var dir = new TempDirectory();
        string config = dir.Write("bad.conf", $"include \"gateway.conf\"\n{setting}\n");
        var output = new StringBuilder();
        var errors = new StringBuilder();
        using var process = Start(["dotnet", GatewayDll, "--config", config], dir.Path, output, errors: errors);
        Assert.True(process.WaitForExit(60_000));
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        string line = Assert.Single(Text(errors).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"configuration error: {key}: ", line);
    }

    private static string Text(StringBuilder sb)
    {
        lock (sb)
            return sb.ToString();
    }

    private static Process Start(string[] command, string workingDirectory, StringBuilder output,
        (string, string)? environment = null, StringBuilder? errors = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in command[1..])
            start.ArgumentList.Add(arg);
        if (environment is { } env)
            start.Environment[env.Item1] = env.Item2;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        StringBuilder err = errors ?? output;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (err) err.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The tables of an SQLite file ("" while it is missing or locked by the gateway creating them).</summary>
    private static string SqliteTables(string file)
    {
        if (!File.Exists(file))
            return "";
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(name, ' ') FROM sqlite_master WHERE type = 'table'";
            return command.ExecuteScalar() as string ?? "";
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return "";
        }
    }

    private static string Run(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command[1..])
            start.ArgumentList.Add(arg);
        using Process p = Process.Start(start)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed ({p.ExitCode}): {stderr.Trim()}");
        return stdout;
    }
}
