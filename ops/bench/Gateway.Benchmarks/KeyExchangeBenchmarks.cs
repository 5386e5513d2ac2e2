using BenchmarkDotNet.Attributes;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// Every key exchange group: a fresh key pair plus the shared secret (what a responder does per IKE_SA_INIT), and
/// the shared secret alone (what `openssl speed ffdhNNNN/ecdhXXX` measures).
/// </summary>
public class KeyExchangeBenchmarks
{
    private byte[] _peerPublic = [];
    private IKeyExchange? _ours;

    public static IEnumerable<KeyExchangeGroup> Groups => KeyExchangeFactory.SupportedGroups;

    [ParamsSource(nameof(Groups))]
    public KeyExchangeGroup Group { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var peer = KeyExchangeFactory.Create(Group);
        _peerPublic = peer.PublicKey;
        _ours = KeyExchangeFactory.Create(Group);
    }

    [GlobalCleanup]
    public void Cleanup() => _ours?.Dispose();

    [Benchmark]
    public byte[] KeyGenAndShared()
    {
        using var kex = KeyExchangeFactory.Create(Group);
        if (!kex.TryComputeSharedSecret(_peerPublic, out var secret, out var error))
            throw new InvalidOperationException(error.ToString());
        return secret;
    }

    [Benchmark]
    public byte[] SharedOnly()
    {
        if (!_ours!.TryComputeSharedSecret(_peerPublic, out var secret, out var error))
            throw new InvalidOperationException(error.ToString());
        return secret;
    }
}

/// <summary>
/// The same with libcrypto switched off (the managed fallback: BouncyCastle for MODP and X25519/X448, .NET
/// ECDiffieHellman for ECP) — the "before" of the key exchange work, measured in the same run.
/// </summary>
public class KeyExchangeFallbackBenchmarks
{
    private byte[] _peerPublic = [];
    private bool _previous;

    [ParamsSource(nameof(KeyExchangeBenchmarks.Groups))]
    public KeyExchangeGroup Group { get; set; }

    public static IEnumerable<KeyExchangeGroup> Groups => KeyExchangeBenchmarks.Groups;

    [GlobalSetup]
    public void Setup()
    {
        _previous = KeyExchangeFactory.UseOpenSsl;
        KeyExchangeFactory.UseOpenSsl = false;
        using var peer = KeyExchangeFactory.Create(Group);
        _peerPublic = peer.PublicKey;
    }

    [GlobalCleanup]
    public void Cleanup() => KeyExchangeFactory.UseOpenSsl = _previous;

    [Benchmark]
    public byte[] KeyGenAndShared()
    {
        using var kex = KeyExchangeFactory.Create(Group);
        if (!kex.TryComputeSharedSecret(_peerPublic, out var secret, out var error))
            throw new InvalidOperationException(error.ToString());
        return secret;
    }
}
