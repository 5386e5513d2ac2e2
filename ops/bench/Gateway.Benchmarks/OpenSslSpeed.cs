using System.Diagnostics;
using System.Globalization;

namespace Gateway.Benchmarks;

/// <summary>
/// Runs `openssl speed -mr` on this machine, single-threaded, so our figures can be reported as ratios against
/// OpenSSL measured in the same run. Parses the machine-readable "+F" lines. `-elapsed` makes OpenSSL report
/// wall-clock rates like BenchmarkDotNet (its default is CPU time, which flatters it on a busy machine).
/// </summary>
public static class OpenSslSpeed
{
    public static int Seconds { get; set; } = 2;

    /// <summary>
    /// ops/bench/openssl-aead-loop, built by crypto.sh (environment GATEWAY_AEAD_LOOP), or null: one AEAD operation
    /// per buffer on a context keyed once (IV-only init, 13 B AAD, data, final). OpenSSL 3.0's `speed -aead` is not
    /// that: it re-keys for every AES-GCM buffer and streams ChaCha20-Poly1305 without any per-buffer work (see the
    /// comment in openssl-aead-loop.c).
    /// </summary>
    public static string? AeadLoop { get; } = Environment.GetEnvironmentVariable("GATEWAY_AEAD_LOOP") is { Length: > 0 } path && File.Exists(path) ? path : null;

    /// <summary>How AEAD reference figures are labelled in the tables.</summary>
    public static string AeadLabel => AeadLoop is null ? "-aead" : "aead-loop";

    /// <summary>
    /// Bytes per second of an EVP cipher at one buffer size; decryption with <paramref name="decrypt"/>. With
    /// <paramref name="aead"/>, every buffer is one whole AEAD operation (new IV, 13 bytes of AAD, final), as one SK
    /// payload or ESP packet is: <see cref="AeadLoop"/> when built, else `speed -aead` — without it OpenSSL streams one
    /// long encryption, with no per-message work.
    /// </summary>
    public static double? CipherBytesPerSecond(string evpName, int bytes, bool decrypt = false, bool aead = false) =>
        aead && AeadLoop is { } loop
            ? Throughput($"{evpName} {bytes} {Seconds}", loop)
            : Throughput(SpeedArguments($"{(decrypt ? "-decrypt " : "")}{(aead ? "-aead " : "")}-bytes {bytes} -evp {evpName}"));

    /// <summary>Bytes per second of HMAC with an EVP digest at one buffer size.</summary>
    public static double? HmacBytesPerSecond(string digest, int bytes) =>
        Throughput(SpeedArguments($"-bytes {bytes} -hmac {digest}"));

    /// <summary>Operations per second of a key agreement: ecdhp256, ecdhx25519, ffdh2048 ...</summary>
    public static double? KeyAgreementPerSecond(string algorithm)
    {
        // +F5:idx:bits:ops/s:s/op (ECDH), +F8:idx:bits:ops/s:s/op (FFDH)
        var line = Run(algorithm).FirstOrDefault(l => l.StartsWith("+F5:", StringComparison.Ordinal) || l.StartsWith("+F8:", StringComparison.Ordinal));
        return line is null ? null : Field(line, 3);
    }

    /// <summary>(sign/s, verify/s) of rsa2048, ecdsap256 ...</summary>
    public static (double Sign, double Verify)? SignVerifyPerSecond(string algorithm)
    {
        // +F2:idx:bits:sign/s:verify/s (RSA), +F4 (ECDSA)
        var line = Run(algorithm).FirstOrDefault(l => l.StartsWith("+F2:", StringComparison.Ordinal) || l.StartsWith("+F4:", StringComparison.Ordinal));
        if (line is null) return null;
        return Field(line, 3) is { } s && Field(line, 4) is { } v ? (s, v) : null;
    }

    private static string SpeedArguments(string arguments) => $"speed -mr -elapsed -seconds {Seconds} {arguments}";

    private static double? Throughput(string arguments, string program = "openssl")
    {
        // +F:idx:name:bytes/s  (one size because of -bytes)
        var line = Run(program, arguments).FirstOrDefault(l => l.StartsWith("+F:", StringComparison.Ordinal));
        return line is null ? null : Field(line, 3);
    }

    private static double? Field(string line, int index)
    {
        var parts = line.Split(':');
        return parts.Length > index && double.TryParse(parts[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : null;
    }

    private static List<string> Run(string arguments) => Run("openssl", SpeedArguments(arguments));

    private static List<string> Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
            process.WaitForExit();
            _ = stderr.Result;
            return lines;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return []; // openssl not installed: the report says "n/a" instead of a ratio.
        }
    }
}
