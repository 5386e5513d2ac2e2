using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Crypto.Auth;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// A gateway certificate whose chain validated against the trust anchors, with its public key ready for AUTH checks.
/// </summary>
internal sealed class TrustedGatewayCertificate
{
    private readonly object _gate = new();
    private readonly AsymmetricAlgorithm _publicKey;
    private readonly DateTime _trustedFrom;
    private readonly DateTime _trustedUntil;

    private TrustedGatewayCertificate(AsymmetricAlgorithm publicKey, DateTime trustedFrom, DateTime trustedUntil)
    {
        _publicKey = publicKey;
        _trustedFrom = trustedFrom;
        _trustedUntil = trustedUntil;
    }

    /// <summary>
    /// Parses the CERT payload bodies (end entity first) and validates the chain at <paramref name="utcNow"/>; null with
    /// the problem when it does not validate. Trusted until the first certificate of the chain expires, at most
    /// <paramref name="maxAge"/> from now.
    /// </summary>
    public static TrustedGatewayCertificate? Validate(IReadOnlyList<ReadOnlyMemory<byte>> certificates,
        IReadOnlyList<X509Certificate2> trustedCas, DateTime utcNow, TimeSpan maxAge, out string? problem)
    {
        var parsed = new List<X509Certificate2>();
        foreach (var c in certificates)
        {
            try { parsed.Add(X509CertificateLoader.LoadCertificate(c.Span)); }
            catch (CryptographicException)
            {
                problem = "gateway certificate does not parse";
                return null;
            }
        }
        if (parsed.Count == 0)
        {
            problem = "gateway sent no certificate";
            return null;
        }
        if (trustedCas.Count == 0)
        {
            problem = "no CA configured to check the gateway certificate";
            return null;
        }
        var chain = new CertificateChainValidator(trustedCas).Validate(parsed[0], parsed.Skip(1), new DateTimeOffset(utcNow, TimeSpan.Zero));
        if (!chain.IsValid)
        {
            problem = "gateway certificate not trusted: " + string.Join("; ", chain.Problems);
            return null;
        }
        if (AuthSignature.PublicKeyOf(parsed[0]) is not { } key)
        {
            problem = "gateway certificate has no RSA or ECDSA key";
            return null;
        }
        problem = null;
        var notAfter = chain.Chain.Min(c => c.NotAfter.ToUniversalTime());
        var notBefore = chain.Chain.Max(c => c.NotBefore.ToUniversalTime());
        return new TrustedGatewayCertificate(key, notBefore, utcNow + maxAge < notAfter ? utcNow + maxAge : notAfter);
    }

    public bool StillTrustedAt(DateTime utcNow) => utcNow >= _trustedFrom && utcNow < _trustedUntil;

    /// <summary>Verifies one handshake's AUTH signature with the certificate's key (serialised: a key object is not promised to be thread-safe).</summary>
    public AuthVerifyResult Verify(AuthMethod method, ReadOnlySpan<byte> authData, ReadOnlySpan<byte> signedOctets)
    {
        lock (_gate)
            return AuthSignature.Verify(method, authData, signedOctets, _publicKey);
    }
}
