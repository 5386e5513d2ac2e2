using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Crypto.Esp;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// Before/after of the SK/ESP work that holds up on a busy machine: the .NET fallback and the libcrypto contexts
/// measured interleaved (short alternating rounds of the same seal or open), medians of the per-round means, then
/// `openssl speed` for the same cipher and size (`--cipher-ab`; `--openssl-seconds N`).
/// </summary>
public static class CipherAb
{
    public sealed record Result(string Area, string Suite, string Op, int Bytes, double ManagedNs, double OpenSslNs, double? ReferenceBytesPerSecond, string? ReferenceName);

    public static IReadOnlyList<Result> Run(int rounds = 9, bool withOpenSsl = true)
    {
        var results = new List<Result>();
        foreach (var suite in Suite.All)
        {
            foreach (var size in new[] { Fixtures.IkeAuthInnerLength, 64, 512, 1400 })
            {
                var area = size == Fixtures.IkeAuthInnerLength ? "SK" : "ESP";
                foreach (var op in new[] { "seal", "open" })
                {
                    var managed = Operation(area, suite, size, op, CipherBackend.Managed);
                    var native = Operation(area, suite, size, op, CipherBackend.OpenSsl);
                    WarmUp(managed);
                    WarmUp(native);
                    var n = Math.Clamp((int)(10_000 / Math.Max(0.05, TimeMicroseconds(managed, 20) / 20)), 20, 20_000);
                    var m = new List<double>();
                    var o = new List<double>();
                    for (var r = 0; r < rounds; r++)
                    {
                        m.Add(TimeMicroseconds(managed, n) * 1e3 / n);
                        o.Add(TimeMicroseconds(native, n) * 1e3 / n);
                    }

                    var (reference, name) = withOpenSsl ? Reference(suite, size, op == "open") : (null, null);
                    results.Add(new Result(area, suite.Name, op, size, Median(m), Median(o), reference, name));
                }
            }
        }

        return results;
    }

    public static string Render(IReadOnlyList<Result> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| what | .NET fallback | libcrypto contexts | speed-up | libcrypto MB/s | OpenSSL MB/s (`speed`, AEAD: aead-loop) | ratio |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var ours = r.Bytes / (r.OpenSslNs / 1e9);
            var ratio = r.ReferenceBytesPerSecond is { } refBps ? (ours / refBps).ToString("F2", CultureInfo.InvariantCulture) : "";
            var reference = r.ReferenceBytesPerSecond is { } b ? Mb(b) : "n/a";
            sb.AppendLine($"| {r.Area} {r.Op} {r.Suite}, {r.Bytes} B | {Us(r.ManagedNs)} | {Us(r.OpenSslNs)} | {r.ManagedNs / r.OpenSslNs:F1}× | {Mb(ours)} | {reference} | {ratio} |");
        }

        return sb.ToString();
    }

    private static string Us(double ns) => (ns / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " µs";

    private static string Mb(double bytesPerSecond) => (bytesPerSecond / 1e6).ToString("N0", CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, double?> Cache = [];

    private static (double?, string) Reference(Suite suite, int bytes, bool open)
    {
        var aead = suite.OpenSslHmac is null;
        var decrypt = open && !aead;
        var cipher = Cached($"{suite.OpenSslCipher}/{bytes}/{decrypt}", () => OpenSslSpeed.CipherBytesPerSecond(suite.OpenSslCipher, bytes, decrypt, aead));
        var name = $"{(aead ? OpenSslSpeed.AeadLabel + " " : "")}{suite.OpenSslCipher}{(decrypt ? " -decrypt" : "")}";
        if (suite.OpenSslHmac is not { } digest || cipher is null)
            return (cipher, name);
        var hmac = Cached($"hmac-{digest}/{bytes}", () => OpenSslSpeed.HmacBytesPerSecond(digest, bytes));
        return (hmac is null ? null : 1 / (1 / cipher.Value + 1 / hmac.Value), name + $" + hmac {digest}");
    }

    private static double? Cached(string key, Func<double?> measure)
    {
        if (!Cache.TryGetValue(key, out var v))
        {
            v = measure();
            Cache[key] = v;
        }

        return v;
    }

    /// <summary>One seal or open of the given area/suite/size on one backend, as a closure over prepared buffers.</summary>
    private static Action Operation(string area, Suite suite, int size, string op, CipherBackend backend)
    {
        if (area == "SK")
        {
            var sk = SkProtectionFactory.Create(suite.Encryption, suite.KeyBits, suite.Integrity, suite.EncryptionKey(), suite.IntegrityKey(), backend);
            var ad = Suite.Filled(32, 0x33);
            var plain = Suite.Filled(size, 0x45);
            var body = new byte[sk.SealedLength(size)];
            var received = new byte[body.Length];
            sk.Seal(ad, plain, received);
            var output = new byte[sk.MaxPlaintextLength(received.Length)];
            return op == "seal"
                ? () => sk.Seal(ad, plain, body)
                : () =>
                {
                    if (!sk.TryOpen(ad, received, output, out _))
                        throw new InvalidOperationException("SK open failed");
                };
        }

        var esp = EspTransformFactory.Create(suite.Encryption, suite.KeyBits, suite.Integrity, suite.EncryptionKey(), suite.IntegrityKey(), false, backend);
        var inner = Suite.Filled(size, 0x45);
        var packet = new byte[esp.SealedLength(size)];
        var sealedPacket = new byte[packet.Length];
        esp.Seal(0xC0FFEE01, 1, inner, 4, sealedPacket);
        var payload = new byte[esp.Layout.MaxPayloadBuffer(sealedPacket.Length)];
        ulong seq = 1;
        return op == "seal"
            ? () => esp.Seal(0xC0FFEE01, ++seq & 0xFFFFFFFF, inner, 4, packet)
            : () =>
            {
                if (!esp.TryOpen(sealedPacket, 1, payload, out _, out _))
                    throw new InvalidOperationException("ESP open failed");
            };
    }

    private static void WarmUp(Action action)
    {
        var sw = Stopwatch.StartNew();
        for (var n = 0; n < 2000 || sw.ElapsedMilliseconds < 150; n++)
            action();
    }

    private static double TimeMicroseconds(Action action, int ops)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < ops; i++)
            action();
        return sw.Elapsed.TotalMicroseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
