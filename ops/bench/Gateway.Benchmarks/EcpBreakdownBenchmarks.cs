using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Gateway.Benchmarks;

/// <summary>
/// Investigation, not part of the default run (select with --filter *EcpBreakdown*): where the time of one .NET
/// ECDiffieHellman P-256 exchange goes — key creation (+ public point export), peer import (two import paths) and the
/// derivation alone.
/// </summary>
public class EcpBreakdownBenchmarks
{
    private ECDiffieHellman _ours = null!;
    private ECDiffieHellmanPublicKey _peerKey = null!;
    private ECParameters _peerParameters;
    private byte[] _peerSpki = [];

    [GlobalSetup]
    public void Setup()
    {
        _ours = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _peerParameters = peer.ExportParameters(false);
        _peerSpki = peer.ExportSubjectPublicKeyInfo();
        _peerKey = peer.PublicKey;
    }

    [Benchmark]
    public ECParameters CreateAndExport()
    {
        using var e = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return e.ExportParameters(false);
    }

    [Benchmark]
    public int CreateOnly()
    {
        using var e = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return e.KeySize;
    }

    [Benchmark]
    public int ImportPeerParameters()
    {
        using var e = ECDiffieHellman.Create(_peerParameters);
        using var k = e.PublicKey;
        return e.KeySize;
    }

    [Benchmark]
    public int ImportPeerSpki()
    {
        using var e = ECDiffieHellman.Create();
        e.ImportSubjectPublicKeyInfo(_peerSpki, out _);
        using var k = e.PublicKey;
        return e.KeySize;
    }

    [Benchmark]
    public byte[] DeriveOnly() => _ours.DeriveRawSecretAgreement(_peerKey);
}
