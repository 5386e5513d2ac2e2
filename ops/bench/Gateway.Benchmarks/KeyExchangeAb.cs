using System.Diagnostics;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// Before/after of the key exchange work that holds up on a busy machine: libcrypto and the managed fallback measured
/// interleaved (short alternating rounds of key generation + shared secret), so both see the same background load;
/// the medians of the per-round means are compared. Complements the BenchmarkDotNet figures, which run one case
/// after another.
/// </summary>
public static class KeyExchangeAb
{
    public sealed record Result(KeyExchangeGroup Group, double ManagedMicroseconds, double OpenSslMicroseconds);

    public static IReadOnlyList<Result> Run(int rounds = 15)
    {
        var results = new List<Result>();
        foreach (var group in KeyExchangeFactory.SupportedGroups)
        {
            using var peer = KeyExchangeFactory.Create(group, KeyExchangeBackend.Managed);
            var peerPublic = peer.PublicKey;
            // Warm up both (tiered JIT: the managed code must reach optimized code first), then aim at ~20 ms per side per round.
            WarmUp(group, KeyExchangeBackend.Managed, peerPublic);
            WarmUp(group, KeyExchangeBackend.OpenSsl, peerPublic);
            var probe = Time(group, KeyExchangeBackend.Managed, peerPublic, 3) / 3;
            var ops = Math.Clamp((int)(20_000 / probe), 2, 200);
            var managed = new List<double>();
            var openssl = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                managed.Add(Time(group, KeyExchangeBackend.Managed, peerPublic, ops) / ops);
                openssl.Add(Time(group, KeyExchangeBackend.OpenSsl, peerPublic, ops) / ops);
            }

            results.Add(new Result(group, Median(managed), Median(openssl)));
        }

        return results;
    }

    private static void WarmUp(KeyExchangeGroup group, KeyExchangeBackend backend, byte[] peerPublic)
    {
        var sw = Stopwatch.StartNew();
        for (var n = 0; n < 50 || sw.ElapsedMilliseconds < 500; n++)
        {
            Time(group, backend, peerPublic, 1);
        }
    }

    /// <summary>Microseconds for <paramref name="ops"/> key generations + shared secrets.</summary>
    private static double Time(KeyExchangeGroup group, KeyExchangeBackend backend, byte[] peerPublic, int ops)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < ops; i++)
        {
            using var kex = KeyExchangeFactory.Create(group, backend);
            if (!kex.TryComputeSharedSecret(peerPublic, out _, out var error))
                throw new InvalidOperationException($"{group} {backend}: {error}");
        }

        return sw.Elapsed.TotalMicroseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
