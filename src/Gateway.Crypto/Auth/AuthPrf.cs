using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Auth;

/// <summary>
/// The IKE PRF as the AUTH computations need it. A stand-in over <see cref="HMAC"/> static HashData until the
/// shared Prf class of the key schedule is merged: replace the body of <see cref="Compute"/> with a call to it.
/// </summary>
internal static class AuthPrf
{
    /// <summary>prf(key, data) for the HMAC PRFs of RFC 7296 / RFC 4868.</summary>
    /// <exception cref="NotSupportedException">The PRF is not an HMAC PRF this helper knows.</exception>
    internal static byte[] Compute(PseudorandomFunction prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => prf switch
    {
        PseudorandomFunction.HmacSha1 => HMACSHA1.HashData(key, data),
        PseudorandomFunction.HmacSha2_256 => HMACSHA256.HashData(key, data),
        PseudorandomFunction.HmacSha2_384 => HMACSHA384.HashData(key, data),
        PseudorandomFunction.HmacSha2_512 => HMACSHA512.HashData(key, data),
        _ => throw new NotSupportedException($"PRF {prf} is not supported for AUTH."),
    };

    internal static bool IsSupported(PseudorandomFunction prf) => prf is PseudorandomFunction.HmacSha1
        or PseudorandomFunction.HmacSha2_256 or PseudorandomFunction.HmacSha2_384 or PseudorandomFunction.HmacSha2_512;
}
