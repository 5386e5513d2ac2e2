using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>Pre-shared key AUTH both ways (RFC 7296 §2.15: prf(prf(Shared Secret, "Key Pad for IKEv2"), octets)).</summary>
internal static class PskAuthentication
{
    public static bool Verify(PseudorandomFunction prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> initiatorOctets, AuthenticationPayload auth) =>
        auth.Method == AuthMethod.SharedKeyMessageIntegrityCode && SharedKeyAuth.Verify(prf, secret, initiatorOctets, auth.Data.Span);

    public static AuthenticationPayload Create(PseudorandomFunction prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> responderOctets) =>
        new(AuthMethod.SharedKeyMessageIntegrityCode, SharedKeyAuth.Compute(prf, secret, responderOctets));
}

/// <summary>The AUTH after EAP (RFC 7296 §2.16): the MSK is the shared secret.</summary>
internal static class EapAuthentication
{
    public static bool Verify(PseudorandomFunction prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skPi, ReadOnlySpan<byte> initiatorOctets,
        AuthenticationPayload auth) =>
        auth.Method == AuthMethod.SharedKeyMessageIntegrityCode
        && SharedKeyAuth.VerifyForEap(prf, msk, skPi, initiatorOctets, auth.Data.Span);

    public static AuthenticationPayload Create(PseudorandomFunction prf, ReadOnlySpan<byte> msk, ReadOnlySpan<byte> skPr,
        ReadOnlySpan<byte> responderOctets) =>
        new(AuthMethod.SharedKeyMessageIntegrityCode, SharedKeyAuth.ComputeForEap(prf, msk, skPr, responderOctets));
}
