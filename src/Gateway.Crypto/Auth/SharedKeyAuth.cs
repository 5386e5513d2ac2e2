using System.Security.Cryptography;
using System.Text;
using Gateway.Ike;

namespace Gateway.Crypto.Auth;

/// <summary>
/// AUTH method 2 (Shared Key Message Integrity Code), RFC 7296 §2.15, and its EAP form of §2.16:
/// <c>AUTH = prf(prf(secret, "Key Pad for IKEv2"), signed octets)</c>, where the secret is the pre-shared key, or
/// for EAP the MSK (SK_pi / SK_pr when the EAP method produced no MSK).
/// </summary>
public static class SharedKeyAuth
{
    private static readonly byte[] KeyPad = Encoding.ASCII.GetBytes("Key Pad for IKEv2");

    /// <summary>Computes the AUTH data for a pre-shared key (or an MSK).</summary>
    public static byte[] Compute(PseudorandomFunction prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signedOctets)
    {
        var padded = Prf.Prf.Get(prf).Compute(secret, KeyPad);
        try
        {
            return Prf.Prf.Get(prf).Compute(padded, signedOctets);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>
    /// Computes the AUTH data after EAP (RFC 7296 §2.16): the MSK is the secret; with no MSK (null or empty),
    /// SK_p of the side that computes the AUTH is.
    /// </summary>
    public static byte[] ComputeForEap(PseudorandomFunction prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skP,
        ReadOnlySpan<byte> signedOctets) => Compute(prf, msk.IsEmpty ? skP : msk, signedOctets);

    /// <summary>Checks received AUTH data in constant time. Never throws for malformed data.</summary>
    public static bool Verify(PseudorandomFunction prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signedOctets,
        ReadOnlySpan<byte> receivedAuth)
    {
        if (!Prf.Prf.IsSupported(prf))
            return false;
        var expected = Compute(prf, secret, signedOctets);
        // FixedTimeEquals returns false without early exit for different lengths; lengths are public anyway.
        return CryptographicOperations.FixedTimeEquals(expected, receivedAuth);
    }

    /// <summary>The EAP form of <see cref="Verify"/>.</summary>
    public static bool VerifyForEap(PseudorandomFunction prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skP,
        ReadOnlySpan<byte> signedOctets, ReadOnlySpan<byte> receivedAuth) =>
        Verify(prf, msk.IsEmpty ? skP : msk, signedOctets, receivedAuth);
}
