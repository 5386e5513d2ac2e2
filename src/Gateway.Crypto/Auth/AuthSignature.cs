using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Ike;

namespace Gateway.Crypto.Auth;

/// <summary>Outcome of verifying a signature AUTH payload.</summary>
public enum AuthVerifyStatus
{
    /// <summary>The signature is good.</summary>
    Valid,

    /// <summary>Well-formed, but the signature does not verify over the signed octets with this key.</summary>
    InvalidSignature,

    /// <summary>The AUTH data is not well formed (lengths, DER, signature size).</summary>
    Malformed,

    /// <summary>The method or the AlgorithmIdentifier names something not supported or not accepted.</summary>
    UnsupportedAlgorithm,

    /// <summary>The key does not fit the method (e.g. an RSA key for ECDSA, or a P-384 key for method 9).</summary>
    KeyMismatch,
}

/// <summary>Result of <see cref="AuthSignature.Verify(AuthMethod, ReadOnlySpan{byte}, ReadOnlySpan{byte}, AsymmetricAlgorithm, IReadOnlyCollection{SignatureHashAlgorithm}?)"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Scheme">The scheme used, when it could be determined.</param>
public readonly record struct AuthVerifyResult(AuthVerifyStatus Status, SignatureScheme? Scheme)
{
    /// <summary>True when the signature is good.</summary>
    public bool IsValid => Status == AuthVerifyStatus.Valid;
}

/// <summary>Options for <see cref="AuthSignature.Sign"/>.</summary>
public sealed record AuthSignOptions
{
    /// <summary>
    /// The hashes the peer announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4); null or empty when it announced
    /// none. Method 14 picks one of them; with none in common, SHA-256.
    /// </summary>
    public IReadOnlyCollection<SignatureHashAlgorithm>? PeerHashAlgorithms { get; init; }

    /// <summary>Use RSASSA-PSS instead of PKCS#1 v1.5 for RSA keys under method 14.</summary>
    public bool UseRsaPss { get; init; }
}

/// <summary>
/// Signature AUTH payloads (RFC 7296 §2.15): RSA PKCS#1 v1.5 with SHA-1 (method 1), ECDSA of RFC 4754 (methods 9,
/// 10, 11: r‖s of fixed length with SHA-256/P-256, SHA-384/P-384, SHA-512/P-521) and Digital Signature of RFC 7427
/// (method 14: 1-byte length ‖ DER AlgorithmIdentifier ‖ signature; ECDSA signatures DER-encoded).
/// </summary>
public static class AuthSignature
{
    /// <summary>
    /// The method to sign with for a key: 14 when the peer announced SIGNATURE_HASH_ALGORITHMS, otherwise the
    /// classic method for the key (1 for RSA; 9, 10 or 11 for ECDSA by curve).
    /// </summary>
    public static AuthMethod ChooseMethod(AsymmetricAlgorithm privateKey, bool peerSupportsRfc7427)
    {
        if (peerSupportsRfc7427)
            return AuthMethod.DigitalSignature;
        return privateKey switch
        {
            RSA => AuthMethod.RsaDigitalSignature,
            ECDsa ec => ec.KeySize switch
            {
                256 => AuthMethod.EcdsaSha256P256,
                384 => AuthMethod.EcdsaSha384P384,
                521 => AuthMethod.EcdsaSha512P521,
                _ => throw new ArgumentException($"ECDSA key of {ec.KeySize} bits has no classic AUTH method; use method 14.", nameof(privateKey)),
            },
            _ => throw new ArgumentException("Only RSA and ECDSA keys sign IKE AUTH payloads.", nameof(privateKey)),
        };
    }

    /// <summary>Signs the octets and returns the AUTH payload data (without the method byte and reserved bytes).</summary>
    /// <exception cref="ArgumentException">The key does not fit the method.</exception>
    public static byte[] Sign(AuthMethod method, AsymmetricAlgorithm privateKey, ReadOnlySpan<byte> signedOctets,
        AuthSignOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        switch (method)
        {
            case AuthMethod.RsaDigitalSignature:
                return RequireRsa(privateKey).SignData(signedOctets.ToArray(), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
            case AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384 or AuthMethod.EcdsaSha512P521:
            {
                var (bits, hash) = ClassicEcdsa(method);
                var ec = privateKey as ECDsa ?? throw new ArgumentException("Method needs an ECDSA key.", nameof(privateKey));
                if (ec.KeySize != bits)
                    throw new ArgumentException($"Method {method} needs a P-{bits} key, not {ec.KeySize} bits.", nameof(privateKey));
                return ec.SignData(signedOctets.ToArray(), hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            case AuthMethod.DigitalSignature:
            {
                var scheme = ChooseScheme(privateKey, options ?? new AuthSignOptions());
                var algorithmIdentifier = AlgorithmIdentifiers.Encode(scheme);
                var signature = scheme.Kind switch
                {
                    SignatureKind.RsaPkcs1 => RequireRsa(privateKey).SignData(signedOctets.ToArray(), scheme.Hash, RSASignaturePadding.Pkcs1),
                    SignatureKind.RsaPss => RequireRsa(privateKey).SignData(signedOctets.ToArray(), scheme.Hash, RSASignaturePadding.Pss),
                    _ => ((ECDsa)privateKey).SignData(signedOctets.ToArray(), scheme.Hash, DSASignatureFormat.Rfc3279DerSequence),
                };
                var result = new byte[1 + algorithmIdentifier.Length + signature.Length];
                result[0] = checked((byte)algorithmIdentifier.Length);
                algorithmIdentifier.CopyTo(result, 1);
                signature.CopyTo(result, 1 + algorithmIdentifier.Length);
                return result;
            }
            default:
                throw new ArgumentException($"Method {method} is not a signature method supported here.", nameof(method));
        }
    }

    /// <summary>The scheme method 14 uses for this key and these options.</summary>
    public static SignatureScheme ChooseScheme(AsymmetricAlgorithm privateKey, AuthSignOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var preferred = privateKey switch
        {
            RSA => [HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512],
            ECDsa ec => ec.KeySize switch
            {
                384 => new[] { HashAlgorithmName.SHA384, HashAlgorithmName.SHA512, HashAlgorithmName.SHA256 },
                521 => [HashAlgorithmName.SHA512, HashAlgorithmName.SHA384, HashAlgorithmName.SHA256],
                _ => [HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512],
            },
            _ => throw new ArgumentException("Only RSA and ECDSA keys sign IKE AUTH payloads.", nameof(privateKey)),
        };
        var hash = HashAlgorithmName.SHA256;
        var peer = options.PeerHashAlgorithms;
        if (peer is { Count: > 0 })
        {
            foreach (var candidate in preferred)
            {
                if (peer.Contains(AlgorithmIdentifiers.ToHashId(candidate)))
                {
                    hash = candidate;
                    break;
                }
            }
        }
        else
        {
            hash = preferred[0];
        }
        var kind = privateKey is RSA ? (options.UseRsaPss ? SignatureKind.RsaPss : SignatureKind.RsaPkcs1) : SignatureKind.Ecdsa;
        return new SignatureScheme(kind, hash);
    }

    /// <summary>Verifies AUTH data against the public key of a certificate. Never throws for malformed input.</summary>
    public static AuthVerifyResult Verify(AuthMethod method, ReadOnlySpan<byte> authData, ReadOnlySpan<byte> signedOctets,
        X509Certificate2 certificate, IReadOnlyCollection<SignatureHashAlgorithm>? acceptedHashes = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = PublicKeyOf(certificate);
        if (key is null)
            return new AuthVerifyResult(AuthVerifyStatus.KeyMismatch, null);
        return Verify(method, authData, signedOctets, key, acceptedHashes);
    }

    /// <summary>The certificate's RSA or ECDSA public key (the caller disposes it); null for other or unreadable keys.</summary>
    public static AsymmetricAlgorithm? PublicKeyOf(X509Certificate2 certificate)
    {
        try
        {
            return (AsymmetricAlgorithm?)certificate.GetRSAPublicKey() ?? certificate.GetECDsaPublicKey();
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Verifies AUTH data. For method 14 the algorithm comes from the AlgorithmIdentifier in the data; when
    /// <paramref name="acceptedHashes"/> is given, its hash must be one of them. Never throws for malformed input.
    /// </summary>
    public static AuthVerifyResult Verify(AuthMethod method, ReadOnlySpan<byte> authData, ReadOnlySpan<byte> signedOctets,
        AsymmetricAlgorithm publicKey, IReadOnlyCollection<SignatureHashAlgorithm>? acceptedHashes = null)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        try
        {
            switch (method)
            {
                case AuthMethod.RsaDigitalSignature:
                {
                    var scheme = new SignatureScheme(SignatureKind.RsaPkcs1, HashAlgorithmName.SHA1);
                    if (publicKey is not RSA rsa)
                        return new AuthVerifyResult(AuthVerifyStatus.KeyMismatch, scheme);
                    if (authData.Length != (rsa.KeySize + 7) / 8)
                        return new AuthVerifyResult(AuthVerifyStatus.Malformed, scheme);
                    return Outcome(rsa.VerifyData(signedOctets, authData, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1), scheme);
                }
                case AuthMethod.EcdsaSha256P256 or AuthMethod.EcdsaSha384P384 or AuthMethod.EcdsaSha512P521:
                {
                    var (bits, hash) = ClassicEcdsa(method);
                    var scheme = new SignatureScheme(SignatureKind.Ecdsa, hash);
                    if (publicKey is not ECDsa ec || ec.KeySize != bits)
                        return new AuthVerifyResult(AuthVerifyStatus.KeyMismatch, scheme);
                    if (authData.Length != 2 * ((bits + 7) / 8))
                        return new AuthVerifyResult(AuthVerifyStatus.Malformed, scheme);
                    return Outcome(ec.VerifyData(signedOctets, authData, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), scheme);
                }
                case AuthMethod.DigitalSignature:
                    return VerifyDigitalSignature(authData, signedOctets, publicKey, acceptedHashes);
                default:
                    return new AuthVerifyResult(AuthVerifyStatus.UnsupportedAlgorithm, null);
            }
        }
        catch (CryptographicException)
        {
            return new AuthVerifyResult(AuthVerifyStatus.Malformed, null);
        }
    }

    private static AuthVerifyResult VerifyDigitalSignature(ReadOnlySpan<byte> authData, ReadOnlySpan<byte> signedOctets,
        AsymmetricAlgorithm publicKey, IReadOnlyCollection<SignatureHashAlgorithm>? acceptedHashes)
    {
        if (authData.Length < 2)
            return new AuthVerifyResult(AuthVerifyStatus.Malformed, null);
        int length = authData[0];
        if (length == 0 || authData.Length <= 1 + length)
            return new AuthVerifyResult(AuthVerifyStatus.Malformed, null);
        if (!AlgorithmIdentifiers.TryDecode(authData.Slice(1, length), out var scheme))
            return new AuthVerifyResult(AuthVerifyStatus.UnsupportedAlgorithm, null);
        if (acceptedHashes is not null && !acceptedHashes.Contains(scheme.HashId))
            return new AuthVerifyResult(AuthVerifyStatus.UnsupportedAlgorithm, scheme);
        var signature = authData[(1 + length)..];
        switch (scheme.Kind)
        {
            case SignatureKind.RsaPkcs1 or SignatureKind.RsaPss:
                if (publicKey is not RSA rsa)
                    return new AuthVerifyResult(AuthVerifyStatus.KeyMismatch, scheme);
                if (signature.Length != (rsa.KeySize + 7) / 8)
                    return new AuthVerifyResult(AuthVerifyStatus.Malformed, scheme);
                var padding = scheme.Kind == SignatureKind.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return Outcome(rsa.VerifyData(signedOctets, signature, scheme.Hash, padding), scheme);
            default:
                if (publicKey is not ECDsa ec)
                    return new AuthVerifyResult(AuthVerifyStatus.KeyMismatch, scheme);
                return Outcome(ec.VerifyData(signedOctets, signature, scheme.Hash, DSASignatureFormat.Rfc3279DerSequence), scheme);
        }
    }

    private static AuthVerifyResult Outcome(bool valid, SignatureScheme scheme) =>
        new(valid ? AuthVerifyStatus.Valid : AuthVerifyStatus.InvalidSignature, scheme);

    private static (int Bits, HashAlgorithmName Hash) ClassicEcdsa(AuthMethod method) => method switch
    {
        AuthMethod.EcdsaSha256P256 => (256, HashAlgorithmName.SHA256),
        AuthMethod.EcdsaSha384P384 => (384, HashAlgorithmName.SHA384),
        _ => (521, HashAlgorithmName.SHA512),
    };

    private static RSA RequireRsa(AsymmetricAlgorithm key) =>
        key as RSA ?? throw new ArgumentException("Method needs an RSA key.", nameof(key));
}
