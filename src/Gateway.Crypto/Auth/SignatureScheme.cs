using System.Formats.Asn1;
using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Auth;

/// <summary>The signature families AUTH supports.</summary>
public enum SignatureKind
{
    /// <summary>RSASSA-PKCS1-v1_5.</summary>
    RsaPkcs1,

    /// <summary>RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash.</summary>
    RsaPss,

    /// <summary>ECDSA.</summary>
    Ecdsa,
}

/// <summary>A signature algorithm with its hash, as an RFC 7427 AlgorithmIdentifier names it.</summary>
public readonly record struct SignatureScheme(SignatureKind Kind, HashAlgorithmName Hash)
{
    /// <summary>The hash as an RFC 7427 SIGNATURE_HASH_ALGORITHMS value.</summary>
    public SignatureHashAlgorithm HashId => AlgorithmIdentifiers.ToHashId(Hash);

    /// <inheritdoc />
    public override string ToString() => $"{Kind}-{Hash.Name}";
}

/// <summary>
/// DER AlgorithmIdentifiers of RFC 7427 method 14 (the encodings RFC 7427 Appendix A lists), written and read with
/// System.Formats.Asn1 under DER rules.
/// </summary>
public static class AlgorithmIdentifiers
{
    private const string OidRsaPss = "1.2.840.113549.1.1.10";
    private const string OidMgf1 = "1.2.840.113549.1.1.8";
    private const string OidSha1WithRsa = "1.2.840.113549.1.1.5";
    private const string OidSha256WithRsa = "1.2.840.113549.1.1.11";
    private const string OidSha384WithRsa = "1.2.840.113549.1.1.12";
    private const string OidSha512WithRsa = "1.2.840.113549.1.1.13";
    private const string OidEcdsaSha256 = "1.2.840.10045.4.3.2";
    private const string OidEcdsaSha384 = "1.2.840.10045.4.3.3";
    private const string OidEcdsaSha512 = "1.2.840.10045.4.3.4";
    private const string OidSha256 = "2.16.840.1.101.3.4.2.1";
    private const string OidSha384 = "2.16.840.1.101.3.4.2.2";
    private const string OidSha512 = "2.16.840.1.101.3.4.2.3";

    /// <summary>DER AlgorithmIdentifier for the scheme.</summary>
    /// <exception cref="NotSupportedException">A combination RFC 7427 use here does not cover (e.g. PSS with SHA-1).</exception>
    public static byte[] Encode(SignatureScheme scheme)
    {
        switch (scheme.Kind)
        {
            case SignatureKind.RsaPkcs1:
                return WithNullParameters(scheme.Hash.Name switch
                {
                    "SHA1" => OidSha1WithRsa,
                    "SHA256" => OidSha256WithRsa,
                    "SHA384" => OidSha384WithRsa,
                    "SHA512" => OidSha512WithRsa,
                    _ => throw Unsupported(scheme),
                });
            case SignatureKind.Ecdsa:
            {
                var writer = new AsnWriter(AsnEncodingRules.DER);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(scheme.Hash.Name switch
                    {
                        "SHA256" => OidEcdsaSha256,
                        "SHA384" => OidEcdsaSha384,
                        "SHA512" => OidEcdsaSha512,
                        _ => throw Unsupported(scheme),
                    });
                }
                return writer.Encode();
            }
            case SignatureKind.RsaPss:
            {
                var hashOid = HashOid(scheme.Hash) ?? throw Unsupported(scheme);
                var writer = new AsnWriter(AsnEncodingRules.DER);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(OidRsaPss);
                    using (writer.PushSequence())
                    {
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                            WriteHashAlgorithm(writer, hashOid);
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(OidMgf1);
                            WriteHashAlgorithm(writer, hashOid);
                        }
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                            writer.WriteInteger(HashLength(scheme.Hash));
                        // trailerField is DEFAULT 1 and so absent in DER.
                    }
                }
                return writer.Encode();
            }
            default:
                throw Unsupported(scheme);
        }
    }

    /// <summary>Decodes a DER AlgorithmIdentifier into a scheme this library can verify. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> der, out SignatureScheme scheme)
    {
        scheme = default;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            if (reader.HasData)
                return false;
            var oid = sequence.ReadObjectIdentifier();
            switch (oid)
            {
                case OidSha1WithRsa or OidSha256WithRsa or OidSha384WithRsa or OidSha512WithRsa:
                    // Parameters NULL (required by RFC 4055) or, leniently, absent.
                    if (sequence.HasData)
                        sequence.ReadNull();
                    if (sequence.HasData)
                        return false;
                    scheme = new SignatureScheme(SignatureKind.RsaPkcs1, oid switch
                    {
                        OidSha1WithRsa => HashAlgorithmName.SHA1,
                        OidSha256WithRsa => HashAlgorithmName.SHA256,
                        OidSha384WithRsa => HashAlgorithmName.SHA384,
                        _ => HashAlgorithmName.SHA512,
                    });
                    return true;
                case OidEcdsaSha256 or OidEcdsaSha384 or OidEcdsaSha512:
                    if (sequence.HasData)
                        return false; // RFC 5758: parameters absent.
                    scheme = new SignatureScheme(SignatureKind.Ecdsa, oid switch
                    {
                        OidEcdsaSha256 => HashAlgorithmName.SHA256,
                        OidEcdsaSha384 => HashAlgorithmName.SHA384,
                        _ => HashAlgorithmName.SHA512,
                    });
                    return true;
                case OidRsaPss:
                    return TryDecodePss(sequence, out scheme);
                default:
                    return false;
            }
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    internal static SignatureHashAlgorithm ToHashId(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => SignatureHashAlgorithm.Sha1,
        "SHA256" => SignatureHashAlgorithm.Sha2_256,
        "SHA384" => SignatureHashAlgorithm.Sha2_384,
        "SHA512" => SignatureHashAlgorithm.Sha2_512,
        _ => throw new NotSupportedException($"Hash {hash.Name} has no RFC 7427 number here."),
    };

    internal static HashAlgorithmName? FromHashId(SignatureHashAlgorithm id) => id switch
    {
        SignatureHashAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        SignatureHashAlgorithm.Sha2_256 => HashAlgorithmName.SHA256,
        SignatureHashAlgorithm.Sha2_384 => HashAlgorithmName.SHA384,
        SignatureHashAlgorithm.Sha2_512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    internal static int HashLength(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => 20,
        "SHA256" => 32,
        "SHA384" => 48,
        "SHA512" => 64,
        _ => throw new NotSupportedException($"Hash {hash.Name} is not supported."),
    };

    private static bool TryDecodePss(AsnReader algorithm, out SignatureScheme scheme)
    {
        scheme = default;
        if (!algorithm.HasData)
            return false; // Defaults mean SHA-1/MGF1-SHA-1/salt 20: not offered here.
        var parameters = algorithm.ReadSequence();
        if (algorithm.HasData)
            return false;

        string? hashOid = null, mgfHashOid = null;
        int? salt = null;
        var context0 = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        var context1 = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
        var context2 = new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true);
        var context3 = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(context0))
        {
            var explicitHash = parameters.ReadSequence(context0);
            hashOid = ReadHashAlgorithm(explicitHash.ReadSequence());
            if (explicitHash.HasData)
                return false;
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(context1))
        {
            var explicitMgf = parameters.ReadSequence(context1);
            var mgf = explicitMgf.ReadSequence();
            if (explicitMgf.HasData || mgf.ReadObjectIdentifier() != OidMgf1)
                return false;
            mgfHashOid = ReadHashAlgorithm(mgf.ReadSequence());
            if (mgf.HasData)
                return false;
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(context2))
        {
            var explicitSalt = parameters.ReadSequence(context2);
            if (!explicitSalt.TryReadInt32(out var s) || explicitSalt.HasData)
                return false;
            salt = s;
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(context3))
        {
            var explicitTrailer = parameters.ReadSequence(context3);
            if (!explicitTrailer.TryReadInt32(out var trailer) || trailer != 1 || explicitTrailer.HasData)
                return false;
        }
        if (parameters.HasData)
            return false;

        HashAlgorithmName? hash = hashOid switch
        {
            OidSha256 => HashAlgorithmName.SHA256,
            OidSha384 => HashAlgorithmName.SHA384,
            OidSha512 => HashAlgorithmName.SHA512,
            _ => null,
        };
        // .NET verifies PSS with MGF1 of the same hash and a salt as long as the hash: accept exactly that.
        if (hash is null || mgfHashOid != hashOid || salt != HashLength(hash.Value))
            return false;
        scheme = new SignatureScheme(SignatureKind.RsaPss, hash.Value);
        return true;
    }

    private static string ReadHashAlgorithm(AsnReader algorithmIdentifier)
    {
        var oid = algorithmIdentifier.ReadObjectIdentifier();
        if (algorithmIdentifier.HasData)
            algorithmIdentifier.ReadNull();
        if (algorithmIdentifier.HasData)
            throw new AsnContentException("Unexpected hash parameters.");
        return oid;
    }

    private static void WriteHashAlgorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteNull();
        }
    }

    private static byte[] WithNullParameters(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteNull();
        }
        return writer.Encode();
    }

    private static string? HashOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => OidSha256,
        "SHA384" => OidSha384,
        "SHA512" => OidSha512,
        _ => null,
    };

    private static NotSupportedException Unsupported(SignatureScheme scheme) =>
        new($"Signature scheme {scheme} is not supported for IKEv2 AUTH.");
}
