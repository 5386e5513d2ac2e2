using System.Globalization;
using System.Net;
using Gateway.LoadTest.Profiles;

namespace Gateway.LoadTest.Options;

/// <summary>The outcome of parsing: options, a request for help, or one error line naming the option.</summary>
public sealed record ParseResult(LoadTestOptions? Options, string? Error, bool Help = false);

/// <summary>
/// Command-line parsing with one clear error per bad option. Checks that need no network happen here (numbers, bounds,
/// files exist, credentials match the profile); reachability is checked at start (<see cref="Running.Preflight"/>).
/// </summary>
public static class OptionParser
{
    public const int MaxTotal = 1_000_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    public const string Usage = """
        usage: Gateway.LoadTest --target HOST[:PORT] [options]
          --profile windows|strongswan|apple|cert|psk   client kind (default windows)
          --concurrency N      handshakes in flight at most (default 10)
          --rate R             new tunnels per second, 0 = as fast as concurrency allows (default 10)
          --total N            tunnels to start (default 100, at most 1000000)
          --duration S         stop after S seconds (default 60, at most 3600)
          --source LIST|PREFIX addresses to send from (comma-separated), or a prefix: its addresses on local interfaces
          --user U --password P           EAP-MSCHAPv2 (or LOADTEST_PASSWORD in the environment)
          --psk SECRET                    pre-shared key (or LOADTEST_PSK)
          --cert FILE --key FILE          client certificate and key (PEM)
          --ca FILE                       CA the gateway's certificate must chain to (PEM)
          --id ID  --remote-id ID         our IDi; the gateway's expected IDr
          --esp-rate PPS --esp-size BYTES --esp-target ADDR
                               per tunnel, ICMP echo requests of BYTES (IP packet, default 100) to ADDR (an IPv4 host
                               behind the gateway) in ESP; replies counted; tunnels stay up until --duration
          --roam-rate SHARE    move SHARE (0..1) of the established tunnels per second to the next --source address
                               (MOBIKE UPDATE_SA_ADDRESSES); needs two or more source addresses
          --rekey-child S --rekey-ike S   each tunnel rekeys its child SA / IKE SA every S seconds
          --mid-sync           announce RFC 6311 message-ID sync and answer a gateway cluster's sync after a failover
          --replay-sync        as --mid-sync, plus IPsec replay counter sync: the outbound ESP counters move on request
          --teardown           delete every tunnel at the end
          --report-dir DIR     write report.json and report.md there
          --quiet              no live progress line
        """;

    public static ParseResult Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
                return new ParseResult(null, null, Help: true);
            if (arg is "--teardown" or "--quiet" or "--mid-sync" or "--replay-sync")
            {
                flags.Add(arg);
                continue;
            }
            if (!ValueOptions.Contains(arg))
                return Error(arg.StartsWith('-') ? $"unknown option {arg}" : $"unexpected argument '{arg}'");
            if (i + 1 >= args.Count)
                return Error($"{arg}: a value is missing");
            if (!values.TryAdd(arg, args[++i]))
                return Error($"{arg}: given twice");
        }

        if (!values.TryGetValue("--target", out var targetText))
            return Error("--target: required (the gateway's address, e.g. 10.99.1.1 or [fd99::1]:500)");
        if (!TryParseEndpoint(targetText, out var target))
            return Error($"--target: '{targetText}' is not an address or address:port");

        var options = new LoadTestOptions { Target = target! };
        string? error = null;
        options = options with
        {
            Concurrency = Int(values, "--concurrency", 10, 1, 100_000, ref error),
            Rate = Number(values, "--rate", 10, 0, 100_000, ref error),
            Total = Int(values, "--total", 100, 1, MaxTotal, ref error),
            Duration = TimeSpan.FromSeconds(Number(values, "--duration", 60, 0.1, MaxDuration.TotalSeconds, ref error)),
            EspRate = Number(values, "--esp-rate", 0, 0, 100_000, ref error),
            EspSize = Int(values, "--esp-size", 100, Traffic.IcmpEcho.MinSize, 1400, ref error),
            RoamRate = Number(values, "--roam-rate", 0, 0, 1, ref error),
            ChildRekeyInterval = Interval(values, "--rekey-child", ref error),
            IkeRekeyInterval = Interval(values, "--rekey-ike", ref error),
            Teardown = flags.Contains("--teardown"),
            Quiet = flags.Contains("--quiet"),
            MessageIdSync = flags.Contains("--mid-sync") || flags.Contains("--replay-sync"),
            ReplayCounterSync = flags.Contains("--replay-sync"),
            ReportDir = values.GetValueOrDefault("--report-dir"),
            Identity = values.GetValueOrDefault("--id"),
            RemoteIdentity = values.GetValueOrDefault("--remote-id"),
        };
        if (error is not null)
            return Error(error);
        if (values.TryGetValue("--esp-target", out var espTarget))
        {
            if (!IPAddress.TryParse(espTarget, out var espAddress) || espAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                return Error($"--esp-target: '{espTarget}' is not an IPv4 address (the echo traffic is IPv4)");
            options = options with { EspTarget = espAddress };
        }
        if (options.EspRate > 0 && options.EspTarget is null)
            return Error("--esp-rate: needs --esp-target (a host behind the gateway that answers ICMP echo)");

        if (values.TryGetValue("--source", out var source))
        {
            if (source.Contains('/'))
            {
                if (!IPNetwork.TryParse(source, out var prefix))
                    return Error($"--source: '{source}' is not a prefix");
                options = options with { SourcePrefix = prefix };
            }
            else
            {
                var list = new List<IPAddress>();
                foreach (var part in source.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!IPAddress.TryParse(part, out var a))
                        return Error($"--source: '{part}' is not an address");
                    if (a.AddressFamily != target!.AddressFamily)
                        return Error($"--source: {a} is not of the target's address family");
                    list.Add(a);
                }
                if (list.Count == 0)
                    return Error("--source: no address given");
                options = options with { Sources = list };
            }
        }

        string profileName = values.GetValueOrDefault("--profile", "windows");
        if (LoadProfile.Find(profileName) is not { } profile)
            return Error($"--profile: '{profileName}' is not one of {string.Join(", ", LoadProfile.Names)}");
        options = options with
        {
            Profile = profile.Name,
            User = values.GetValueOrDefault("--user"),
            Password = values.GetValueOrDefault("--password") ?? environment("LOADTEST_PASSWORD"),
            Psk = values.GetValueOrDefault("--psk") ?? environment("LOADTEST_PSK"),
            CertPath = values.GetValueOrDefault("--cert"),
            KeyPath = values.GetValueOrDefault("--key"),
            CaPath = values.GetValueOrDefault("--ca"),
        };
        foreach (var (option, path) in new[] { ("--cert", options.CertPath), ("--key", options.KeyPath), ("--ca", options.CaPath) })
        {
            if (path is not null && !File.Exists(path))
                return Error($"{option}: file '{path}' not found");
        }
        if ((options.CertPath is null) != (options.KeyPath is null))
            return Error("--cert and --key: give both or neither");

        var method = AuthPlan.MethodFor(profile, options);
        return AuthPlan.MissingCredential(method, options) is { } missing ? Error(missing) : new ParseResult(options, null);
    }

    private static readonly HashSet<string> ValueOptions =
    [
        "--target", "--concurrency", "--rate", "--total", "--duration", "--source", "--profile", "--user", "--password",
        "--psk", "--cert", "--key", "--ca", "--id", "--remote-id", "--esp-rate", "--esp-size", "--report-dir",
        "--esp-target", "--roam-rate", "--rekey-child", "--rekey-ike",
    ];

    private static ParseResult Error(string message) => new(null, message);

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max, ref string? error)
    {
        if (!values.TryGetValue(name, out var text))
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            error ??= $"{name}: '{text}' is not a whole number from {min} to {max}";
            return fallback;
        }
        return v;
    }

    /// <summary>An optional interval in seconds (0.5 s to 1 day).</summary>
    private static TimeSpan? Interval(Dictionary<string, string> values, string name, ref string? error) =>
        values.ContainsKey(name) ? TimeSpan.FromSeconds(Number(values, name, 1, 0.5, 86_400, ref error)) : null;

    private static double Number(Dictionary<string, string> values, string name, double fallback, double min, double max, ref string? error)
    {
        if (!values.TryGetValue(name, out var text))
            return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < min || v > max)
        {
            error ??= $"{name}: '{text}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
            return fallback;
        }
        return v;
    }

    /// <summary>"10.0.0.1", "10.0.0.1:4500", "fd00::1", "[fd00::1]:500". Port 500 unless given.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            endpoint = new IPEndPoint(bare, 500);
            return true;
        }
        if (IPEndPoint.TryParse(text, out var withPort) && withPort.Port != 0)
        {
            endpoint = withPort;
            return true;
        }
        return false;
    }
}
