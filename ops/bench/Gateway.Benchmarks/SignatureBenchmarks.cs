using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// AUTH payload signatures through <see cref="AuthSignature"/>: RSA-2048 (method 14, PKCS#1 v1.5 with SHA-256) and
/// ECDSA P-256 (method 9), over signed octets the size of a real IKE_SA_INIT request plus nonce and prf output.
/// </summary>
public class SignatureBenchmarks
{
    private RSA _rsa = null!;
    private ECDsa _ecdsa = null!;
    private byte[] _octets = [];
    private byte[] _rsaAuth = [];
    private byte[] _ecdsaAuth = [];

    [GlobalSetup]
    public void Setup()
    {
        _rsa = RSA.Create(2048);
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _octets = [.. Fixtures.IkeSaInitRequest, .. Suite.Filled(32, 1), .. Suite.Filled(32, 2)];
        _rsaAuth = AuthSignature.Sign(AuthMethod.DigitalSignature, _rsa, _octets);
        _ecdsaAuth = AuthSignature.Sign(AuthMethod.EcdsaSha256P256, _ecdsa, _octets);
        if (!AuthSignature.Verify(AuthMethod.DigitalSignature, _rsaAuth, _octets, _rsa).IsValid
            || !AuthSignature.Verify(AuthMethod.EcdsaSha256P256, _ecdsaAuth, _octets, _ecdsa).IsValid)
            throw new InvalidOperationException("signature setup does not verify");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rsa.Dispose();
        _ecdsa.Dispose();
    }

    [Benchmark] public byte[] Rsa2048Sign() => AuthSignature.Sign(AuthMethod.DigitalSignature, _rsa, _octets);

    [Benchmark] public bool Rsa2048Verify() => AuthSignature.Verify(AuthMethod.DigitalSignature, _rsaAuth, _octets, _rsa).IsValid;

    [Benchmark] public byte[] EcdsaP256Sign() => AuthSignature.Sign(AuthMethod.EcdsaSha256P256, _ecdsa, _octets);

    [Benchmark] public bool EcdsaP256Verify() => AuthSignature.Verify(AuthMethod.EcdsaSha256P256, _ecdsaAuth, _octets, _ecdsa).IsValid;
}
