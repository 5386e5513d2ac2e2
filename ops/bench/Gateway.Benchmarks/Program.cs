using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// Runs the benchmarks, then `openssl speed` for every primitive with a counterpart (same machine, same run), and
/// prints (and writes into docs/benchmarks.md, between the "results" markers) ours / OpenSSL ratios.
/// <code>
///   dotnet run -c Release --project ops/bench/Gateway.Benchmarks -- [--quick] [--openssl-seconds N] [--no-doc]
///   dotnet run -c Release --project ops/bench/Gateway.Benchmarks -- --filter '*EcpBreakdown*'   (plain BenchmarkDotNet)
///   dotnet run -c Release --project ops/bench/Gateway.Benchmarks -- --kex-ab   (interleaved key exchange before/after only)
///   dotnet run -c Release --project ops/bench/Gateway.Benchmarks -- --cipher-ab   (interleaved SK/ESP .NET vs libcrypto, with openssl speed)
/// </code>
/// </summary>
public static class Program
{
    private const double Target = 0.5;
    private const double CodecTarget = 1_000_000;
    private const string Begin = "<!-- results:begin (written by ops/bench/crypto.sh; edits inside are overwritten) -->";
    private const string End = "<!-- results:end -->";

    public static int Main(string[] args)
    {
        if (args.Contains("--filter"))
        {
            // Investigation mode: plain BenchmarkDotNet with our short job, no OpenSSL, no report.
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Where(a => a != "--quick").ToArray(), new BenchConfig(args.Contains("--quick")));
            return 0;
        }

        if (args.Contains("--kex-ab"))
        {
            // Just the interleaved key exchange before/after (about half a minute).
            foreach (var r in KeyExchangeAb.Run())
                Console.WriteLine($"{(int)r.Group,2} {r.Group,-10} managed {r.ManagedMicroseconds,10:F1} µs   libcrypto {r.OpenSslMicroseconds,10:F1} µs   {r.ManagedMicroseconds / r.OpenSslMicroseconds,5:F1}×");
            return 0;
        }

        if (args.Contains("--cipher-ab"))
        {
            // SK/ESP: the .NET fallback and the libcrypto contexts interleaved, then openssl speed (about 2 minutes).
            OpenSslSpeed.Seconds = IntOption(args, "--openssl-seconds") ?? 1;
            Console.WriteLine($"load before: {LoadAverage()}");
            var results = CipherAb.Run(withOpenSsl: !args.Contains("--no-openssl"));
            Console.WriteLine($"load after: {LoadAverage()}");
            Console.WriteLine(CipherAb.Render(results));
            return 0;
        }

        var quick = args.Contains("--quick");
        var writeDoc = !args.Contains("--no-doc");
        OpenSslSpeed.Seconds = IntOption(args, "--openssl-seconds") ?? (quick ? 1 : 2);
        var command = Environment.GetEnvironmentVariable("GATEWAY_BENCH_COMMAND")
                      ?? "dotnet run -c Release --project ops/bench/Gateway.Benchmarks -- " + string.Join(' ', args);
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();

        Type[] types =
        [
            typeof(KeyExchangeBenchmarks), typeof(KeyExchangeFallbackBenchmarks), typeof(SignatureBenchmarks),
            typeof(KeyScheduleBenchmarks), typeof(SkBenchmarks), typeof(EspBenchmarks), typeof(CodecBenchmarks),
        ];
        // JoinSummary in the config: one summary for all types.
        var summary = BenchmarkRunner.Run(types, new BenchConfig(quick)).Single();
        var benchmarkMinutes = (DateTimeOffset.UtcNow - started).TotalMinutes;

        Console.WriteLine("Key exchange A/B, libcrypto and managed interleaved ...");
        var ab = KeyExchangeAb.Run(quick ? 5 : 15);
        Console.WriteLine($"Running openssl speed ({OpenSslSpeed.Seconds} s per measurement) ...");
        var report = new Report(summary, ab);
        var markdown = report.Render(command, started, loadBefore, LoadAverage(), benchmarkMinutes, quick);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (writeDoc)
        {
            var path = WriteDoc(markdown);
            Console.WriteLine($"Written to {path}");
        }

        return report.HasErrors ? 1 : 0;
    }

    private static int? IntOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : null;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string WriteDoc(string results)
    {
        var path = Path.Combine(Fixtures.RepositoryRoot, "docs", "benchmarks.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var block = Begin + "\n" + results.TrimEnd() + "\n" + End;
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n" + Begin + "\n" + End + "\n";
        var b = text.IndexOf(Begin, StringComparison.Ordinal);
        var e = text.IndexOf(End, StringComparison.Ordinal);
        text = b >= 0 && e > b ? text[..b] + block + text[(e + End.Length)..] : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Turns BenchmarkDotNet reports plus OpenSSL figures into Markdown tables.</summary>
    private sealed class Report(Summary summary, IReadOnlyList<KeyExchangeAb.Result> ab)
    {
        private readonly Dictionary<string, double?> _openssl = [];

        public bool HasErrors => summary.HasCriticalValidationErrors || summary.Reports.Any(r => r.ResultStatistics is null);

        public string Render(string command, DateTimeOffset started, string loadBefore, string loadAfter, double minutes, bool quick)
        {
            var sb = new StringBuilder();
            sb.AppendLine($"### Run of {started:yyyy-MM-dd HH:mm} UTC{(quick ? " (quick mode: fewer iterations, not for the record)" : "")}");
            sb.AppendLine();
            sb.AppendLine($"- Command: `{command}`");
            sb.AppendLine($"- CPU: {CpuModel()} ({Environment.ProcessorCount} logical cores); OS: {RuntimeInformation.OSDescription}");
            sb.AppendLine($"- .NET: {RuntimeInformation.FrameworkDescription}; BenchmarkDotNet job: 1 launch, {(quick ? "1 warm-up, 3" : "3 warm-ups, 6")} iterations, in-process");
            sb.AppendLine($"- OpenSSL: `{OpenSslCommandVersion()}` (`openssl speed -mr -elapsed -seconds {OpenSslSpeed.Seconds}`, wall-clock like BenchmarkDotNet); libcrypto used by Gateway.Crypto: {OpenSslNative.VersionText ?? "not loaded (managed fallback)"}");
            sb.AppendLine($"- Load average (1/5/15 min) before: {loadBefore}, after: {loadAfter}; BenchmarkDotNet part took {minutes:F1} min");
            sb.AppendLine();
            sb.AppendLine("Ratio = our rate / OpenSSL's rate (higher is better); target ≥ 0.5. Throughput in MB/s = 10^6 bytes of");
            sb.AppendLine("plaintext per second; OpenSSL CBC+HMAC suites combine `-evp <cbc>` and `-hmac <digest>` at the same size as");
            sb.AppendLine("1/(1/enc + 1/hmac); OpenSSL CBC figures for *open* use `-decrypt`. AEAD suites: one whole AEAD operation per");
            sb.AppendLine("buffer (IV, 13 B AAD, data, final), like one SK payload or ESP packet; *open* is compared with it too. " + (OpenSslSpeed.AeadLoop is null
                ? "Measured with `-aead -evp <cipher>` (ops/bench/openssl-aead-loop not built), which in OpenSSL 3.0 re-keys every AES-GCM buffer and streams ChaCha20-Poly1305."
                : "Measured with ops/bench/openssl-aead-loop (`aead-loop`): IV-only re-init of a keyed context, like ours; `speed -aead` re-keys every AES-GCM buffer and streams ChaCha20-Poly1305."));
            sb.AppendLine();
            sb.AppendLine("| benchmark | ours | OpenSSL | ratio | target met? | alloc/op |");
            sb.AppendLine("|---|---:|---:|---:|:---:|---:|");
            foreach (var row in Rows())
            {
                sb.AppendLine(row);
            }

            sb.AppendLine();
            sb.AppendLine("Key exchange, key generation + shared secret per handshake: libcrypto (default) vs the managed fallback");
            sb.AppendLine("(BouncyCastle for MODP and X25519/X448, .NET ECDiffieHellman for ECP), same run:");
            sb.AppendLine();
            sb.AppendLine("| group | managed fallback | libcrypto | speed-up |");
            sb.AppendLine("|---|---:|---:|---:|");
            foreach (var group in KeyExchangeFactory.SupportedGroups)
            {
                var managed = Find(nameof(KeyExchangeFallbackBenchmarks), "KeyGenAndShared", ("Group", group));
                var ours = Find(nameof(KeyExchangeBenchmarks), "KeyGenAndShared", ("Group", group));
                if (managed is null || ours is null)
                    continue;
                sb.AppendLine($"| {(int)group} {group} | {Time(Mean(managed))} | {Time(Mean(ours))} | {Mean(managed) / Mean(ours):F1}× |");
            }

            sb.AppendLine();
            sb.AppendLine("The same, measured interleaved (alternating ~20 ms rounds of each, median of the round means), so that both");
            sb.AppendLine("implementations see the same background load — the more trustworthy before/after on a busy machine:");
            sb.AppendLine();
            sb.AppendLine("| group | managed fallback | libcrypto | speed-up |");
            sb.AppendLine("|---|---:|---:|---:|");
            foreach (var r in ab)
            {
                sb.AppendLine($"| {(int)r.Group} {r.Group} | {Time(r.ManagedMicroseconds * 1e3)} | {Time(r.OpenSslMicroseconds * 1e3)} | {r.ManagedMicroseconds / r.OpenSslMicroseconds:F1}× |");
            }

            return sb.ToString();
        }

        private IEnumerable<string> Rows()
        {
            foreach (var group in KeyExchangeFactory.SupportedGroups)
            {
                var name = OpenSslKeyAgreement(group);
                var shared = Find(nameof(KeyExchangeBenchmarks), "SharedOnly", ("Group", group));
                var both = Find(nameof(KeyExchangeBenchmarks), "KeyGenAndShared", ("Group", group));
                if (shared is not null)
                    yield return OpsRow($"KE {(int)group} {group}: shared secret", shared, name is null ? null : OpenSsl(name, () => OpenSslSpeed.KeyAgreementPerSecond(name)), name);
                if (both is not null)
                    yield return OpsRow($"KE {(int)group} {group}: keygen + shared", both, null, null);
            }

            var rsa = OpenSsl("rsa2048", () => OpenSslSpeed.SignVerifyPerSecond("rsa2048") is { } r ? r.Sign : null);
            var rsaV = OpenSsl("rsa2048/verify", () => OpenSslSpeed.SignVerifyPerSecond("rsa2048") is { } r ? r.Verify : null);
            var ec = OpenSsl("ecdsap256", () => OpenSslSpeed.SignVerifyPerSecond("ecdsap256") is { } r ? r.Sign : null);
            var ecV = OpenSsl("ecdsap256/verify", () => OpenSslSpeed.SignVerifyPerSecond("ecdsap256") is { } r ? r.Verify : null);
            foreach (var (method, label, reference, refName) in new[]
                     {
                         ("Rsa2048Sign", "AUTH RSA-2048 sign (method 14, SHA-256)", rsa, "rsa2048 sign"),
                         ("Rsa2048Verify", "AUTH RSA-2048 verify", rsaV, "rsa2048 verify"),
                         ("EcdsaP256Sign", "AUTH ECDSA P-256 sign (method 9)", ec, "ecdsap256 sign"),
                         ("EcdsaP256Verify", "AUTH ECDSA P-256 verify", ecV, "ecdsap256 verify"),
                     })
            {
                if (Find(nameof(SignatureBenchmarks), method) is { } r)
                    yield return OpsRow(label, r, reference, refName);
            }

            foreach (var method in new[] { "DeriveIkeSaKeys", "DeriveChildSaKeys", "DeriveChildSaKeysPfs" })
            {
                if (Find(nameof(KeyScheduleBenchmarks), method) is { } r)
                    yield return OpsRow($"key schedule: {method} (prfsha256, aes256-sha256)", r, null, null);
            }

            var skBytes = Fixtures.IkeAuthInnerLength;
            foreach (var suite in Suite.All)
            {
                foreach (var op in new[] { "Seal", "Open" })
                {
                    if (Find(nameof(SkBenchmarks), op, ("Suite", suite.Name)) is { } r)
                        yield return ThroughputRow($"SK {op.ToLowerInvariant()} {suite.Name}, {skBytes} B (IKE_AUTH)", r, skBytes, suite, op == "Open");
                }
            }

            foreach (var suite in Suite.All)
            {
                foreach (var size in new[] { 64, 512, 1400 })
                {
                    foreach (var op in new[] { "Seal", "Open" })
                    {
                        if (Find(nameof(EspBenchmarks), op, ("Suite", suite.Name), ("Size", size)) is { } r)
                            yield return ThroughputRow($"ESP {op.ToLowerInvariant()} {suite.Name}, {size} B", r, size, suite, op == "Open");
                    }
                }
            }

            foreach (var message in CodecBenchmarks.Messages)
            {
                foreach (var op in new[] { "ParseAndBuild", "ParseWithoutCopyAndBuild", "Parse", "Build" })
                {
                    if (Find(nameof(CodecBenchmarks), op, ("Message", message)) is not { } r)
                        continue;
                    var rate = 1e9 / Mean(r);
                    var target = message == CodecBenchmarks.IkeAuth && op == "ParseAndBuild"
                        ? (rate >= CodecTarget ? "yes (≥ 1,000,000/s)" : "**no** (< 1,000,000/s)")
                        : "";
                    yield return $"| codec {op} {message} | {Rate(rate)} | | | {target} | {Alloc(r)} |";
                }
            }
        }

        private string OpsRow(string label, BenchmarkReport r, double? reference, string? referenceName)
        {
            var rate = 1e9 / Mean(r);
            if (reference is null)
                return $"| {label} | {Rate(rate)} ({Time(Mean(r))}) | {(referenceName is null ? "—" : "n/a")} | | | {Alloc(r)} |";
            var ratio = rate / reference.Value;
            return $"| {label} | {Rate(rate)} ({Time(Mean(r))}) | {Rate(reference.Value)} ({referenceName}) | {ratio:F2} | {Met(ratio)} | {Alloc(r)} |";
        }

        private string ThroughputRow(string label, BenchmarkReport r, int bytes, Suite suite, bool open)
        {
            var ours = bytes / (Mean(r) / 1e9);
            var cbcDecrypt = open && suite.OpenSslHmac is not null;
            var aead = suite.OpenSslHmac is null;
            var cipher = OpenSsl($"{suite.OpenSslCipher}/{bytes}/{cbcDecrypt}", () => OpenSslSpeed.CipherBytesPerSecond(suite.OpenSslCipher, bytes, cbcDecrypt, aead));
            double? reference = cipher;
            var name = $"{(aead ? OpenSslSpeed.AeadLabel + " " : "")}{suite.OpenSslCipher}{(cbcDecrypt ? " -decrypt" : "")}";
            if (suite.OpenSslHmac is { } digest && cipher is not null)
            {
                var hmac = OpenSsl($"hmac-{digest}/{bytes}", () => OpenSslSpeed.HmacBytesPerSecond(digest, bytes));
                reference = hmac is null ? null : 1 / (1 / cipher.Value + 1 / hmac.Value);
                name += $" + hmac {digest}";
            }

            if (reference is null)
                return $"| {label} | {Mb(ours)} | n/a | | | {Alloc(r)} |";
            var ratio = ours / reference.Value;
            return $"| {label} | {Mb(ours)} | {Mb(reference.Value)} ({name}) | {ratio:F2} | {Met(ratio)} | {Alloc(r)} |";
        }

        private double? OpenSsl(string key, Func<double?> measure)
        {
            if (!_openssl.TryGetValue(key, out var value))
            {
                value = measure();
                _openssl[key] = value;
            }

            return value;
        }

        private BenchmarkReport? Find(string type, string method, params (string Name, object Value)[] parameters) =>
            summary.Reports.FirstOrDefault(r =>
                r.BenchmarkCase.Descriptor.Type.Name == type
                && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
                && r.ResultStatistics is not null
                && parameters.All(p => Equals(r.BenchmarkCase.Parameters[p.Name], p.Value)));

        private static double Mean(BenchmarkReport r) => r.ResultStatistics!.Mean;

        private static string Alloc(BenchmarkReport r) =>
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) is { } b ? $"{b:N0} B" : "?";

        private static string Met(double ratio) => ratio >= Target ? "yes" : "**no**";

        private static string Rate(double perSecond) => perSecond >= 10_000
            ? perSecond.ToString("N0", CultureInfo.InvariantCulture) + "/s"
            : perSecond.ToString("N1", CultureInfo.InvariantCulture) + "/s";

        private static string Mb(double bytesPerSecond) => (bytesPerSecond / 1e6).ToString("N0", CultureInfo.InvariantCulture) + " MB/s";

        private static string Time(double ns) => ns switch
        {
            >= 1e6 => $"{ns / 1e6:F2} ms",
            >= 1e3 => $"{ns / 1e3:F1} µs",
            _ => $"{ns:F0} ns",
        };

        private static string? OpenSslKeyAgreement(KeyExchangeGroup group) => group switch
        {
            KeyExchangeGroup.Modp2048 => "ffdh2048",
            KeyExchangeGroup.Modp3072 => "ffdh3072",
            KeyExchangeGroup.Modp4096 => "ffdh4096",
            KeyExchangeGroup.Ecp256 => "ecdhp256",
            KeyExchangeGroup.Ecp384 => "ecdhp384",
            KeyExchangeGroup.Ecp521 => "ecdhp521",
            KeyExchangeGroup.Curve25519 => "ecdhx25519",
            KeyExchangeGroup.Curve448 => "ecdhx448",
            _ => null, // OpenSSL has no ffdh1024/1536 in `speed`.
        };

        private static string CpuModel()
        {
            try
            {
                return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
            }
            catch (IOException)
            {
                return "unknown";
            }
        }

        private static string OpenSslCommandVersion()
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo("openssl", "version") { RedirectStandardOutput = true })!;
                var text = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return text;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "openssl not installed";
            }
        }
    }
}
