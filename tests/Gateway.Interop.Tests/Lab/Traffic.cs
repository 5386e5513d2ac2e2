using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Lab;

/// <summary>Traffic from the client namespace to the server namespace, through whatever tunnel the client has.</summary>
public static partial class Traffic
{
    public const int TransferBytes = 10 * 1024 * 1024 + 4321; // ≥ 10 MB, and not a multiple of any block size
    private static int _nextPort = 5001;

    internal static int NextPort() => Interlocked.Increment(ref _nextPort);

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();

    /// <summary>
    /// Waits (up to 10 s) for a first echo reply from <paramref name="target"/>, then sends <paramref name="echoes"/>
    /// more, of which at least <paramref name="answeredAtLeast"/> (default: all) must be answered. Returns ping's
    /// summary line.
    /// </summary>
    public static async Task<string> PingAsync(LabTopology lab, string target, int echoes = 3, int? answeredAtLeast = null)
    {
        CommandResult? last = null;
        bool first = await Poll.UntilAsync(async () =>
        {
            last = await lab.ExecAsync(lab.ClientNs, TimeSpan.FromSeconds(10), "ping", "-n", "-c", "1", "-W", "1", target);
            return last.Succeeded;
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        if (!first)
            throw new LabException($"no echo reply from {target} within 10 s: {last?.Describe()}");
        CommandResult r = await lab.ExecAsync(lab.ClientNs, TimeSpan.FromSeconds(20),
            "ping", "-n", "-c", echoes.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "2", target);
        Match m = PingSummary().Match(r.StdOut);
        int wanted = answeredAtLeast ?? echoes;
        if (!m.Success || int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) != echoes ||
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) < wanted)
            throw new LabException($"ping {target}: fewer than {wanted} of {echoes} echoes answered: {r.Describe()}");
        return m.Value;
    }

    /// <summary>
    /// A TCP round trip of <see cref="TransferBytes"/> random bytes: the client uploads a file to a listener on the
    /// server (nc), then downloads the server's copy back over a second connection. The SHA-256 of the original, of the
    /// server's copy and of what came back must be equal, and the server must have seen the connections come from
    /// <paramref name="expectedSource"/> (the client's virtual IP, i.e. through the tunnel).
    /// </summary>
    public static async Task<string> TcpRoundTripAsync(LabTopology lab, string server, IPAddress expectedSource)
    {
        string dir = lab.NewDir("transfer");
        string original = Path.Combine(dir, "original.bin");
        string atServer = Path.Combine(dir, "at-server.bin");
        string back = Path.Combine(dir, "back.bin");
        byte[] data = RandomNumberGenerator.GetBytes(TransferBytes);
        await File.WriteAllBytesAsync(original, data);
        string want = Convert.ToHexString(SHA256.HashData(data));
        var clock = Stopwatch.StartNew();

        // Upload: the server writes what it receives; the client half-closes after its last byte (-N).
        int port = Interlocked.Increment(ref _nextPort);
        string serverLog = await ServeAsync(lab, server, port, $"nc -n -v -d -l {server} {port} > '{atServer}'",
            async () => await ClientAsync(lab, $"nc -n -N -w 15 {server} {port} < '{original}'", "upload"));
        AssertSource(serverLog, expectedSource, "upload");
        string atServerHash = Hash(atServer);
        if (atServerHash != want)
            throw new LabException($"upload: the server received {new FileInfo(atServer).Length} bytes with SHA-256 " +
                                   $"{atServerHash}, sent {TransferBytes} bytes with SHA-256 {want}");

        // Download: the server sends its copy back and half-closes (-N); the client reads until the end.
        port = Interlocked.Increment(ref _nextPort);
        serverLog = await ServeAsync(lab, server, port, $"nc -n -v -N -l {server} {port} < '{atServer}'",
            async () => await ClientAsync(lab, $"nc -n -d -w 15 {server} {port} > '{back}'", "download"));
        AssertSource(serverLog, expectedSource, "download");
        string backHash = Hash(back);
        if (backHash != want)
            throw new LabException($"download: the client received {new FileInfo(back).Length} bytes with SHA-256 " +
                                   $"{backHash}, expected {TransferBytes} bytes with SHA-256 {want}");
        double seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(dir, recursive: true);
        return string.Create(CultureInfo.InvariantCulture,
            $"{TransferBytes} bytes up and back, SHA-256 {want[..16]}…, {seconds:0.0} s");
    }

    internal static string Hash(string path)
    {
        using FileStream s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s));
    }

    internal static void AssertSource(string serverLog, IPAddress expected, string what)
    {
        // netcat-openbsd -v: "Connection received on ADDRESS PORT"
        if (!serverLog.Contains($"Connection received on {expected} ", StringComparison.Ordinal))
            throw new LabException($"{what}: the server did not see the connection come from the client's virtual IP " +
                                   $"{expected}; its nc said:\n{serverLog}");
    }

    private static async Task ClientAsync(LabTopology lab, string script, string what)
    {
        CommandResult r = await lab.ExecAsync(lab.ClientNs, TimeSpan.FromSeconds(90), "sh", "-c", script);
        if (!r.Succeeded)
            throw new LabException($"{what}: client nc failed: {r.Describe()}");
    }

    /// <summary>Starts a one-shot nc listener in the server namespace, waits until it listens, runs the client, and
    /// waits for the listener to finish. Returns the listener's stderr.</summary>
    private static async Task<string> ServeAsync(LabTopology lab, string address, int port, string listenScript,
        Func<Task> client)
    {
        Task<CommandResult> listener = await ListenAsync(lab, address, port, listenScript, TimeSpan.FromSeconds(120));
        await client();
        CommandResult done = await listener;
        if (!done.Succeeded)
            throw new LabException($"the server's nc failed: {done.Describe()}");
        return done.StdErr;
    }

    /// <summary>Starts a listener script in the server namespace and returns once it listens on the port.</summary>
    internal static async Task<Task<CommandResult>> ListenAsync(LabTopology lab, string address, int port, string listenScript,
        TimeSpan timeout)
    {
        Task<CommandResult> listener = lab.ExecAsync(lab.ServerNs, timeout, "sh", "-c", "exec " + listenScript);
        bool listening = await Poll.UntilAsync(async () =>
        {
            if (listener.IsCompleted)
                return true;
            CommandResult ss = await lab.ExecAsync(lab.ServerNs, TimeSpan.FromSeconds(10), "ss", "-Hltn", $"sport = :{port}");
            return ss.StdOut.Contains($":{port}", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        if (!listening || listener.IsCompleted)
        {
            CommandResult early = listener.IsCompleted ? await listener : new CommandResult(listenScript, -1, "", "");
            throw new LabException($"the nc listener on {address} port {port} did not start listening: {early.Describe()}");
        }
        return listener;
    }
}
