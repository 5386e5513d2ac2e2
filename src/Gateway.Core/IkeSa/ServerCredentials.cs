using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Policy;
using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>How we prove who we are: IDr, our certificate and chain in CERT payloads, and a signature AUTH.</summary>
internal sealed class ServerCredentials(GatewayPolicy policy)
{
    public IdentificationPayload IdR { get; } = IdentityText.Payload(policy.Identity, initiator: false);

    /// <summary>Leaf first, then the intermediates (never the root).</summary>
    public IEnumerable<Payload> CertificatePayloads()
    {
        yield return new CertificatePayload(CertificateEncoding.X509Signature, policy.Certificate.RawData);
        foreach (var c in policy.CertificateChain)
            yield return new CertificatePayload(CertificateEncoding.X509Signature, c.RawData);
    }

    /// <summary>
    /// Signs with our key: method 14 when the peer announced SIGNATURE_HASH_ALGORITHMS (RFC 7427), else 1 for RSA,
    /// 9–11 for ECDSA.
    /// </summary>
    public AuthenticationPayload Sign(ReadOnlySpan<byte> responderOctets, IReadOnlyCollection<SignatureHashAlgorithm>? peerHashes)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)policy.Certificate.GetRSAPrivateKey()
                                        ?? policy.Certificate.GetECDsaPrivateKey()
                                        ?? throw new InvalidOperationException("The gateway certificate has no RSA or ECDSA private key.");
        bool rfc7427 = peerHashes is { Count: > 0 };
        var method = AuthSignature.ChooseMethod(key, rfc7427);
        var data = AuthSignature.Sign(method, key, responderOctets, new AuthSignOptions { PeerHashAlgorithms = peerHashes });
        return new AuthenticationPayload(method, data);
    }
}
