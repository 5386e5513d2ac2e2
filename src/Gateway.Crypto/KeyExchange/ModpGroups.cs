using Gateway.Ike;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// The MODP groups we offer: 2 (RFC 2409 §6.2), 5, 14, 15, 16 (RFC 3526). The primes come from BouncyCastle's
/// table of standard groups; tests recompute them from their defining formula (p = 2^n − 2^(n−64) − 1 + 2^64·(⌊2^(n−130)·π⌋ + k)).
/// </summary>
public static class ModpGroups
{
    private static DHParameters? _g2, _g5, _g14, _g15, _g16;
    private static byte[]? _p2, _p5, _p14, _p15, _p16;

    /// <summary>True for the MODP groups this library implements.</summary>
    public static bool IsModp(KeyExchangeGroup group) => group is KeyExchangeGroup.Modp1024 or KeyExchangeGroup.Modp1536
        or KeyExchangeGroup.Modp2048 or KeyExchangeGroup.Modp3072 or KeyExchangeGroup.Modp4096;

    /// <summary>The prime p of a MODP group, big-endian unsigned.</summary>
    public static byte[] Prime(KeyExchangeGroup group) => Get(group).P.ToByteArrayUnsigned();

    /// <summary>The prime, cached; callers must not modify it.</summary>
    internal static byte[] PrimeBytes(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Modp1024 => _p2 ??= Prime(group),
        KeyExchangeGroup.Modp1536 => _p5 ??= Prime(group),
        KeyExchangeGroup.Modp2048 => _p14 ??= Prime(group),
        KeyExchangeGroup.Modp3072 => _p15 ??= Prime(group),
        KeyExchangeGroup.Modp4096 => _p16 ??= Prime(group),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a supported MODP group"),
    };

    /// <summary>1 &lt; y &lt; p − 1 for a big-endian unsigned y (RFC 7296 §5; SP 800-56A partial validation). Public values only: not constant time.</summary>
    internal static bool IsInRange(ReadOnlySpan<byte> y, ReadOnlySpan<byte> prime)
    {
        var v = y.TrimStart((byte)0);
        var aboveOne = v.Length > 1 || (v.Length == 1 && v[0] > 1);
        return aboveOne && IsBelowPrimeMinusOne(v, prime);
    }

    /// <summary>value &lt; p − 1 for big-endian unsigned values (p odd, so p − 1 differs from p only in the last bit).</summary>
    internal static bool IsBelowPrimeMinusOne(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prime)
    {
        value = value.TrimStart((byte)0);
        if (value.Length != prime.Length)
        {
            return value.Length < prime.Length;
        }

        var c = value[..^1].SequenceCompareTo(prime[..^1]);
        return c != 0 ? c < 0 : value[^1] < prime[^1] - 1;
    }

    /// <summary>The generator g (2 for all of these groups).</summary>
    public static int Generator(KeyExchangeGroup group) => Get(group).G.IntValue;

    internal static DHParameters Get(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Modp1024 => _g2 ??= WithoutQ(DHStandardGroups.rfc2409_1024),
        KeyExchangeGroup.Modp1536 => _g5 ??= WithoutQ(DHStandardGroups.rfc3526_1536),
        KeyExchangeGroup.Modp2048 => _g14 ??= WithoutQ(DHStandardGroups.rfc3526_2048),
        KeyExchangeGroup.Modp3072 => _g15 ??= WithoutQ(DHStandardGroups.rfc3526_3072),
        KeyExchangeGroup.Modp4096 => _g16 ??= WithoutQ(DHStandardGroups.rfc3526_4096),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a supported MODP group"),
    };

    /// <summary>
    /// p and g only. With q present BouncyCastle checks y^q = 1 for every peer value: a full-length exponentiation
    /// that buys nothing for these safe primes (p = 2q + 1), whose only small subgroups {1} and {1, p−1} the range
    /// check 1 &lt; y &lt; p−1 already excludes (RFC 7296 §5 asks for no more; strongSwan does the same).
    /// </summary>
    private static DHParameters WithoutQ(DHParameters standard) => new(standard.P, standard.G);

    /// <summary>Bits of the random private exponent: 2× the estimated strength (RFC 3526 §8), at least 256.</summary>
    internal static int ExponentBits(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Modp1024 => 256,
        KeyExchangeGroup.Modp1536 => 256,
        KeyExchangeGroup.Modp2048 => 256,
        KeyExchangeGroup.Modp3072 => 320,
        KeyExchangeGroup.Modp4096 => 384,
        _ => throw new ArgumentOutOfRangeException(nameof(group)),
    };
}
