using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Crypto.Auth;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// The initiator's certificate authentication: the end-entity CERT chains to a trusted CA (intermediates from the
/// other CERT payloads), IDi names the certificate, and AUTH verifies with its key (methods 1, 9–11 and 14; for 14
/// only the hashes we announced).
/// </summary>
internal static class CertificateAuthentication
{
    public static bool Verify(IReadOnlyList<X509Certificate2> trustedCas, IEnumerable<CertificatePayload> certificates,
        IdentificationPayload idi, AuthenticationPayload auth, ReadOnlySpan<byte> initiatorOctets, DateTime nowUtc)
    {
        if (trustedCas.Count == 0)
            return false;
        var loaded = new List<X509Certificate2>();
        try
        {
            foreach (var payload in certificates)
            {
                if (payload.Encoding != CertificateEncoding.X509Signature)
                    continue;
                if (loaded.Count >= 8)
                    break; // bounded work: a real chain is short
                loaded.Add(X509CertificateLoader.LoadCertificate(payload.Data.Span));
            }
            if (loaded.Count == 0)
                return false;
            var leaf = loaded[0];
            var chain = new CertificateChainValidator(trustedCas).Validate(leaf, loaded.Skip(1), new DateTimeOffset(nowUtc, TimeSpan.Zero));
            if (!chain.IsValid)
                return false;
            if (!CertificateIdentity.Matches(leaf, idi.IdType, idi.Data.Span))
                return false;
            var accepted = auth.Method == AuthMethod.DigitalSignature ? SaInitResponder.AnnouncedHashes : null;
            return AuthSignature.Verify(auth.Method, auth.Data.Span, initiatorOctets, leaf, accepted).IsValid;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var c in loaded)
                c.Dispose();
        }
    }
}
