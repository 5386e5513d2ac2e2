using System.Security.Cryptography.X509Certificates;
using Gateway.Core.IkeSa;
using Gateway.Crypto.Auth;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// Checks the gateway's AUTH as a client must before trusting anything it says (RFC 7296 §2.15, RFC 5998 for EAP):
/// a signature with the certificate it sent, chained to a CA we trust; a PSK MAC; or the MSK-based AUTH after EAP.
/// Each returns null when the check passes, else the problem (never secret values).
/// </summary>
internal static class GatewayAuthentication
{
    public static string? VerifySignature(IReadOnlyList<Payload> response, HandshakeOctets octets,
        IReadOnlyList<X509Certificate2> trustedCas, string? expectedIdentity)
    {
        if (response.OfType<IdentificationPayload>().FirstOrDefault(p => !p.IsInitiator) is not { } idr)
            return "no IDr";
        if (IdentityProblem(idr, expectedIdentity) is { } wrongId)
            return wrongId;
        if (response.OfType<AuthenticationPayload>().FirstOrDefault() is not { } auth)
            return "no AUTH";
        var certs = new List<X509Certificate2>();
        foreach (var c in response.OfType<CertificatePayload>())
        {
            if (c.Encoding != CertificateEncoding.X509Signature)
                continue;
            try { certs.Add(X509CertificateLoader.LoadCertificate(c.Data.Span)); }
            catch (System.Security.Cryptography.CryptographicException) { return "gateway certificate does not parse"; }
        }
        if (certs.Count == 0)
            return "gateway sent no certificate";
        if (trustedCas.Count == 0)
            return "no CA configured to check the gateway certificate";
        var chain = new CertificateChainValidator(trustedCas).Validate(certs[0], certs.Skip(1));
        if (!chain.IsValid)
            return "gateway certificate not trusted: " + string.Join("; ", chain.Problems);
        var verified = AuthSignature.Verify(auth.Method, auth.Data.Span, octets.ForResponder(idr.GetBodyBytes()), certs[0]);
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
