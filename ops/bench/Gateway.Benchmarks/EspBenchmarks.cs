using BenchmarkDotNet.Attributes;
using Gateway.Crypto.Esp;

namespace Gateway.Benchmarks;

/// <summary>ESP seal/open per suite for inner packets of 64, 512 and 1400 bytes (no ESN; the per-packet path).</summary>
public class EspBenchmarks
{
    private EspTransform _esp = null!;
    private byte[] _inner = [], _packet = [], _received = [], _payload = [];
    private ulong _seq;

    public static IEnumerable<string> Suites => Benchmarks.Suite.Names;

    [ParamsSource(nameof(Suites))]
    public string Suite { get; set; } = "";

    [Params(64, 512, 1400)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var suite = Benchmarks.Suite.Get(Suite);
        _esp = EspTransformFactory.Create(suite.Encryption, suite.KeyBits, suite.Integrity, suite.EncryptionKey(), suite.IntegrityKey(), false);
        _inner = Benchmarks.Suite.Filled(Size, 0x45);
        _packet = new byte[_esp.SealedLength(Size)];
        _received = new byte[_packet.Length];
        _esp.Seal(0xC0FFEE01, 1, _inner, 4, _received);
        _payload = new byte[_esp.Layout.MaxPayloadBuffer(_received.Length)];
        if (!_esp.TryOpen(_received, 1, _payload, out var n, out var nh) || nh != 4 || !_payload.AsSpan(0, n).SequenceEqual(_inner))
            throw new InvalidOperationException($"{Suite}/{Size}: ESP round trip failed");
        _seq = 1;
    }

    [GlobalCleanup]
    public void Cleanup() => _esp.Dispose();

    [Benchmark]
    public int Seal() => _esp.Seal(0xC0FFEE01, ++_seq & 0xFFFFFFFF, _inner, 4, _packet);

    [Benchmark]
    public int Open() => _esp.TryOpen(_received, 1, _payload, out var n, out _) ? n : throw new InvalidOperationException();
}
