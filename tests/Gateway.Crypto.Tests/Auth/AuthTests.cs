using System.Security.Cryptography;
using System.Text;
using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.Auth;

public class SharedKeyAuthTests
{
    private static readonly byte[] RealMessage = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
    private static readonly byte[] PeerNonce = Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray();
    private static readonly byte[] SkP = Enumerable.Range(0, 32).Select(i => (byte)(0x10 + i)).ToArray();

    [Fact]
    public void Known_answer_computed_independently()
    {
        var idBody = SignedOctets.RestOfIdPayload(IdType.Fqdn, "vpn.example.com"u8);
        Assert.Equal(new byte[] { 2, 0, 0, 0 }, idBody[..4]);
        var octets = SignedOctets.Build(PseudorandomFunction.HmacSha2_256, RealMessage, PeerNonce, SkP, idBody);

        // Independently: RFC 7296 §2.15 with HMAC-SHA-256 written out with the instance API.
        using var macId = new HMACSHA256(SkP);
        var maced = macId.ComputeHash(idBody);
        var expectedOctets = RealMessage.Concat(PeerNonce).Concat(maced).ToArray();
        Assert.Equal(expectedOctets, octets);
        using var pad = new HMACSHA256(Encoding.ASCII.GetBytes("secret"));
        var keyPad = pad.ComputeHash(Encoding.ASCII.GetBytes("Key Pad for IKEv2"));
        using var auth = new HMACSHA256(keyPad);
        var expected = auth.ComputeHash(expectedOctets);

        Assert.Equal(expected, SharedKeyAuth.Compute(PseudorandomFunction.HmacSha2_256, "secret"u8, octets));
    }

    [Theory]
    [InlineData(PseudorandomFunction.HmacSha1, 20)]
    [InlineData(PseudorandomFunction.HmacSha2_256, 32)]
    [InlineData(PseudorandomFunction.HmacSha2_384, 48)]
    [InlineData(PseudorandomFunction.HmacSha2_512, 64)]
    public void Round_trip_and_wrong_secret(PseudorandomFunction prf, int length)
    {
        var octets = SignedOctets.Build(prf, RealMessage, PeerNonce, SkP, SignedOctets.RestOfIdPayload(IdType.Ipv4Address, [10, 0, 0, 1]));
        var auth = SharedKeyAuth.Compute(prf, "psk"u8, octets);
        Assert.Equal(length, auth.Length);
        Assert.True(SharedKeyAuth.Verify(prf, "psk"u8, octets, auth));
        Assert.False(SharedKeyAuth.Verify(prf, "psk2"u8, octets, auth));
        Assert.False(SharedKeyAuth.Verify(prf, "psk"u8, octets, auth[..^1]));
        Assert.False(SharedKeyAuth.Verify(prf, "psk"u8, octets, []));
        octets[5] ^= 1;
        Assert.False(SharedKeyAuth.Verify(prf, "psk"u8, octets, auth));
    }

    [Fact]
    public void Eap_uses_the_msk_or_sk_p_without_one()
    {
        var prf = PseudorandomFunction.HmacSha2_256;
        var msk = new byte[64];
        msk[0] = 1;
        var octets = new byte[] { 1, 2, 3 };
        Assert.Equal(SharedKeyAuth.Compute(prf, msk, octets), SharedKeyAuth.ComputeForEap(prf, msk, SkP, octets));
        Assert.Equal(SharedKeyAuth.Compute(prf, SkP, octets), SharedKeyAuth.ComputeForEap(prf, [], SkP, octets));
        Assert.True(SharedKeyAuth.VerifyForEap(prf, msk, SkP, octets, SharedKeyAuth.Compute(prf, msk, octets)));
    }

    [Fact]
    public void Unsupported_prf_verifies_false_without_throwing() =>
        Assert.False(SharedKeyAuth.Verify(PseudorandomFunction.Aes128Xcbc, "k"u8, [1], [1]));
}

public class AlgorithmIdentifierTests
{
    // RFC 7427 Appendix A.
    [Theory]
    [InlineData(SignatureKind.RsaPkcs1, "SHA1", "300d06092a864886f70d0101050500")]
    [InlineData(SignatureKind.RsaPkcs1, "SHA256", "300d06092a864886f70d01010b0500")]
    [InlineData(SignatureKind.RsaPkcs1, "SHA384", "300d06092a864886f70d01010c0500")]
    [InlineData(SignatureKind.RsaPkcs1, "SHA512", "300d06092a864886f70d01010d0500")]
    [InlineData(SignatureKind.Ecdsa, "SHA256", "300a06082a8648ce3d040302")]
    [InlineData(SignatureKind.Ecdsa, "SHA384", "300a06082a8648ce3d040303")]
    [InlineData(SignatureKind.Ecdsa, "SHA512", "300a06082a8648ce3d040304")]
    [InlineData(SignatureKind.RsaPss, "SHA256",
        "3041 0609 2a86 4886 f70d 0101 0a30 34a0 0f30 0d06 0960 8648 0165 0304 0201 0500" +
        "a11c 301a 0609 2a86 4886 f70d 0101 0830 0d06 0960 8648 0165 0304 0201 0500 a203 0201 20")]
    public void Encodings_match_RFC7427(SignatureKind kind, string hash, string hex)
    {
        var expected = Convert.FromHexString(hex.Replace(" ", ""));
        var scheme = new SignatureScheme(kind, new HashAlgorithmName(hash));
        Assert.Equal(expected, AlgorithmIdentifiers.Encode(scheme));
        Assert.True(AlgorithmIdentifiers.TryDecode(expected, out var decoded));
        Assert.Equal(scheme, decoded);
    }

    [Theory]
    [InlineData(SignatureKind.RsaPss, "SHA384")]
    [InlineData(SignatureKind.RsaPss, "SHA512")]
    public void Pss_round_trips(SignatureKind kind, string hash)
    {
        var scheme = new SignatureScheme(kind, new HashAlgorithmName(hash));
        Assert.True(AlgorithmIdentifiers.TryDecode(AlgorithmIdentifiers.Encode(scheme), out var decoded));
        Assert.Equal(scheme, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("300b06092a864886f70d01010a")] // PSS with absent parameters (SHA-1 defaults)
    [InlineData("300d06092a864886f70d01010a3000")] // PSS with default parameters
    [InlineData("300a06082a8648ce3d04030205")] // trailing garbage inside
    [InlineData("300a06082a8648ce3d04030200")] // trailing garbage after
    [InlineData("300d06092a864886f70d0101010500")] // rsaEncryption is not a signature algorithm
    [InlineData("304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020120")] // MGF1 hash differs
    public void Unknown_or_malformed_identifiers_are_rejected(string hex) =>
        Assert.False(AlgorithmIdentifiers.TryDecode(Convert.FromHexString(hex), out _));
}

public class AuthSignatureTests
{
    private static readonly byte[] Octets = Encoding.ASCII.GetBytes("IKE_SA_INIT bytes || nonce || prf(SK_p, ID)");
    private static readonly RSA Rsa = RSA.Create(2048);
    private static readonly ECDsa P256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa P384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private static readonly ECDsa P521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);

    public static TheoryData<string, AuthMethod> ClassicCases => new()
    {
        { "rsa", AuthMethod.RsaDigitalSignature },
        { "p256", AuthMethod.EcdsaSha256P256 },
        { "p384", AuthMethod.EcdsaSha384P384 },
        { "p521", AuthMethod.EcdsaSha512P521 },
    };

    private static AsymmetricAlgorithm Key(string name) => name switch
    {
        "rsa" => Rsa,
        "p256" => P256,
        "p384" => P384,
        _ => P521,
    };

    [Theory]
    [MemberData(nameof(ClassicCases))]
    public void Classic_methods_sign_and_verify(string keyName, AuthMethod method)
    {
        var key = Key(keyName);
        Assert.Equal(method, AuthSignature.ChooseMethod(key, peerSupportsRfc7427: false));
        var auth = AuthSignature.Sign(method, key, Octets);
        if (key is ECDsa ec)
            Assert.Equal(2 * ((ec.KeySize + 7) / 8), auth.Length); // r || s, fixed length (RFC 4754)
        Assert.Equal(AuthVerifyStatus.Valid, AuthSignature.Verify(method, auth, Octets, key).Status);

        var tampered = (byte[])Octets.Clone();
        tampered[0] ^= 0x80;
        Assert.Equal(AuthVerifyStatus.InvalidSignature, AuthSignature.Verify(method, auth, tampered, key).Status);
        var badSig = (byte[])auth.Clone();
        badSig[^1] ^= 1;
        Assert.Equal(AuthVerifyStatus.InvalidSignature, AuthSignature.Verify(method, badSig, Octets, key).Status);
        Assert.Equal(AuthVerifyStatus.Malformed, AuthSignature.Verify(method, auth[..^1], Octets, key).Status);
    }

    [Fact]
    public void Classic_ecdsa_rejects_a_key_of_another_curve()
    {
        var auth = AuthSignature.Sign(AuthMethod.EcdsaSha256P256, P256, Octets);
        Assert.Equal(AuthVerifyStatus.KeyMismatch, AuthSignature.Verify(AuthMethod.EcdsaSha384P384, auth, Octets, P256).Status);
        Assert.Equal(AuthVerifyStatus.Malformed, AuthSignature.Verify(AuthMethod.EcdsaSha384P384, auth, Octets, P384).Status);
        Assert.Equal(AuthVerifyStatus.KeyMismatch, AuthSignature.Verify(AuthMethod.EcdsaSha256P256, auth, Octets, Rsa).Status);
        Assert.Throws<ArgumentException>(() => AuthSignature.Sign(AuthMethod.EcdsaSha384P384, P256, Octets));
    }

    public static TheoryData<string, bool, SignatureHashAlgorithm> DigitalSignatureCases
    {
        get
        {
            var data = new TheoryData<string, bool, SignatureHashAlgorithm>();
            foreach (var hash in new[] { SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512 })
            {
                data.Add("rsa", false, hash);
                data.Add("rsa", true, hash);
                data.Add("p256", false, hash);
                data.Add("p384", false, hash);
                data.Add("p521", false, hash);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(DigitalSignatureCases))]
    public void Method14_signs_with_the_peer_hash_and_verifies(string keyName, bool pss, SignatureHashAlgorithm hash)
    {
        var key = Key(keyName);
        var options = new AuthSignOptions { PeerHashAlgorithms = [hash], UseRsaPss = pss };
        var auth = AuthSignature.Sign(AuthMethod.DigitalSignature, key, Octets, options);

        var expectedScheme = new SignatureScheme(key is RSA ? (pss ? SignatureKind.RsaPss : SignatureKind.RsaPkcs1) : SignatureKind.Ecdsa,
            hash switch
            {
                SignatureHashAlgorithm.Sha2_256 => HashAlgorithmName.SHA256,
                SignatureHashAlgorithm.Sha2_384 => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            });
        var algorithmIdentifier = AlgorithmIdentifiers.Encode(expectedScheme);
        Assert.Equal(algorithmIdentifier.Length, auth[0]);
        Assert.Equal(algorithmIdentifier, auth[1..(1 + auth[0])]);

        var result = AuthSignature.Verify(AuthMethod.DigitalSignature, auth, Octets, key);
        Assert.Equal(AuthVerifyStatus.Valid, result.Status);
        Assert.Equal(expectedScheme, result.Scheme);

        var tampered = (byte[])Octets.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(AuthVerifyStatus.InvalidSignature, AuthSignature.Verify(AuthMethod.DigitalSignature, auth, tampered, key).Status);
        // Only hashes we announced are accepted when the caller says so.
        var others = new[] { SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512 }
            .Where(h => h != hash).ToArray();
        Assert.Equal(AuthVerifyStatus.UnsupportedAlgorithm,
            AuthSignature.Verify(AuthMethod.DigitalSignature, auth, Octets, key, others).Status);
    }

    [Fact]
    public void Signer_picks_a_hash_from_the_peer_list_by_preference()
    {
        Assert.Equal(HashAlgorithmName.SHA256, AuthSignature.ChooseScheme(Rsa, new AuthSignOptions()).Hash);
        Assert.Equal(HashAlgorithmName.SHA384, AuthSignature.ChooseScheme(Rsa,
            new AuthSignOptions { PeerHashAlgorithms = [SignatureHashAlgorithm.Sha1, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512] }).Hash);
        Assert.Equal(HashAlgorithmName.SHA384, AuthSignature.ChooseScheme(P384,
            new AuthSignOptions { PeerHashAlgorithms = [SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512] }).Hash);
        Assert.Equal(AuthMethod.DigitalSignature, AuthSignature.ChooseMethod(P256, peerSupportsRfc7427: true));
    }

    [Fact]
    public void Method14_with_a_key_of_the_wrong_family_is_a_mismatch()
    {
        var auth = AuthSignature.Sign(AuthMethod.DigitalSignature, Rsa, Octets);
        Assert.Equal(AuthVerifyStatus.KeyMismatch, AuthSignature.Verify(AuthMethod.DigitalSignature, auth, Octets, P256).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("0000")]
    [InlineData("0f")]
    [InlineData("0f300d06092a864886f70d01010b0500")] // AlgorithmIdentifier but no signature
    [InlineData("ff300d06092a864886f70d01010b050001")] // length beyond the data
    [InlineData("0c300a06082a8648ce3d0403020102")] // ECDSA with a signature that is not DER
    [InlineData("0c300a06082a8648ce3d04030230060201010201")] // truncated DER signature
    public void Malformed_method14_data_returns_a_failure_without_throwing(string hex)
    {
        var data = Convert.FromHexString(hex);
        foreach (var key in new AsymmetricAlgorithm[] { Rsa, P256 })
        {
            var result = AuthSignature.Verify(AuthMethod.DigitalSignature, data, Octets, key);
            Assert.False(result.IsValid);
        }
    }

    [Fact]
    public void Random_auth_data_never_throws()
    {
        var random = new Random(42);
        var valid = AuthSignature.Sign(AuthMethod.DigitalSignature, P256, Octets);
        for (var i = 0; i < 3000; i++)
        {
            var data = (byte[])valid.Clone();
            for (var j = random.Next(1, 4); j > 0; j--)
                data[random.Next(data.Length)] = (byte)random.Next(256);
            data = data[..random.Next(data.Length + 1)];
            foreach (var method in new[] { AuthMethod.DigitalSignature, AuthMethod.EcdsaSha256P256, AuthMethod.RsaDigitalSignature, AuthMethod.Null })
            {
                var result = AuthSignature.Verify(method, data, Octets, P256);
                Assert.False(result.IsValid && data.Length != valid.Length);
            }
        }
    }
}
