using BenchmarkDotNet.Attributes;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>SK seal/open per suite, for the plaintext length of the real strongSwan IKE_AUTH request.</summary>
public class SkBenchmarks
{
    private ISkProtection _sk = null!;
    private byte[] _ad = [], _plain = [], _sealed = [], _output = [], _received = [];

    public static IEnumerable<string> Suites => Benchmarks.Suite.Names;

    [ParamsSource(nameof(Suites))]
    public string Suite { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var suite = Benchmarks.Suite.Get(Suite);
        _sk = SkProtectionFactory.Create(suite.Encryption, suite.KeyBits, suite.Integrity, suite.EncryptionKey(), suite.IntegrityKey());
        var decrypted = Fixtures.IkeAuthDecrypted();
        _plain = decrypted[IkeLimits.HeaderLength..];
        _ad = Fixtures.IkeAuthOnWire[..(IkeLimits.HeaderLength + IkeLimits.GenericPayloadHeaderLength)];
        _sealed = new byte[_sk.SealedLength(_plain.Length)];
        _received = new byte[_sealed.Length];
        _sk.Seal(_ad, _plain, _received);
        _output = new byte[_sk.MaxPlaintextLength(_received.Length)];
        if (!_sk.TryOpen(_ad, _received, _output, out var n) || !_output.AsSpan(0, n).SequenceEqual(_plain))
            throw new InvalidOperationException($"{Suite}: SK round trip failed");
    }

    [GlobalCleanup]
    public void Cleanup() => _sk.Dispose();

    /// <summary>Plaintext bytes per operation (for throughput).</summary>
    public static int Bytes => Fixtures.IkeAuthInnerLength;

    [Benchmark]
    public void Seal() => _sk.Seal(_ad, _plain, _sealed);

    [Benchmark]
    public int Open() => _sk.TryOpen(_ad, _received, _output, out var n) ? n : throw new InvalidOperationException();
}
