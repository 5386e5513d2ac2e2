using System.Security.Cryptography.X509Certificates;
using Gateway.Core.IkeSa;
using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// Checks the gateway's AUTH as a client must before trusting anything it says (RFC 7296 §2.15, RFC 5998 for EAP):
/// a signature with the certificate it sent, chained to a CA we trust; a PSK MAC; or the MSK-based AUTH after EAP.
/// Each returns null when the check passes, else the problem (never secret values).
/// </summary>
internal static class GatewayAuthentication
{
    /// <param name="cache">Validated chains to reuse; used only when it holds exactly <paramref name="trustedCas"/>.</param>
    public static string? VerifySignature(IReadOnlyList<Payload> response, HandshakeOctets octets,
        IReadOnlyList<X509Certificate2> trustedCas, string? expectedIdentity, GatewayCertificateCache? cache = null)
    {
        if (response.OfType<IdentificationPayload>().FirstOrDefault(p => !p.IsInitiator) is not { } idr)
            return "no IDr";
        if (IdentityProblem(idr, expectedIdentity) is { } wrongId)
            return wrongId;
        if (response.OfType<AuthenticationPayload>().FirstOrDefault() is not { } auth)
            return "no AUTH";
        var certificates = response.OfType<CertificatePayload>()
            .Where(c => c.Encoding == CertificateEncoding.X509Signature).Select(c => c.Data).ToList();
        var now = DateTime.UtcNow;
        string? problem;
        var trusted = cache is not null && ReferenceEquals(cache.TrustedCas, trustedCas)
            ? cache.Find(certificates, now, out problem)
            : TrustedGatewayCertificate.Validate(certificates, trustedCas, now, TimeSpan.Zero, out problem);
        if (trusted is null)
            return problem;
        var verified = trusted.Verify(auth.Method, auth.Data.Span, octets.ForResponder(idr.GetBodyBytes()));
        return verified.IsValid ? null : $"gateway AUTH signature ({auth.Method}) does not verify";
    }

    public static string? VerifyPsk(IReadOnlyList<Payload> response, HandshakeOctets octets, byte[] psk, string? expectedIdentity)
    {
        if (response.OfType<IdentificationPayload>().FirstOrDefault(p => !p.IsInitiator) is not { } idr)
            return "no IDr";
        if (IdentityProblem(idr, expectedIdentity) is { } wrongId)
            return wrongId;
        if (response.OfType<AuthenticationPayload>().FirstOrDefault() is not { Method: AuthMethod.SharedKeyMessageIntegrityCode } auth)
            return "no PSK AUTH";
        return SharedKeyAuth.Verify(octets.Prf, psk, octets.ForResponder(idr.GetBodyBytes()), auth.Data.Span)
            ? null : "gateway PSK AUTH does not verify";
    }

    /// <summary>The gateway's last AUTH after EAP: keyed with the MSK, over its IDr of the first IKE_AUTH response.</summary>
    public static string? VerifyEapMsk(AuthenticationPayload? auth, IdentificationPayload idr, HandshakeOctets octets, byte[] msk)
    {
        if (auth is null)
            return "no AUTH after EAP";
        return SharedKeyAuth.VerifyForEap(octets.Prf, msk, octets.SkPr, octets.ForResponder(idr.GetBodyBytes()), auth.Data.Span)
            ? null : "gateway MSK AUTH does not verify";
    }

    private static string? IdentityProblem(IdentificationPayload idr, string? expected)
    {
        if (expected is null)
            return null;
        string actual = IdentityText.Of(idr.IdType, idr.Data.Span);
        return string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) ? null : $"gateway identity is {actual}, expected {expected}";
    }
}
