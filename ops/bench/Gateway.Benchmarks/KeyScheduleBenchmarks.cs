using BenchmarkDotNet.Attributes;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// The IKE key schedule for aes256-sha256-modp2048 (SKEYSEED + prf+ for the seven keys) and child SA KEYMAT for
/// aes256-sha256 ESP, without and with PFS (a 256-byte g^ir), using the real values of the PSK fixture.
/// </summary>
public class KeyScheduleBenchmarks
{
    private byte[] _secret = [], _ni = [], _nr = [], _spiI = [], _spiR = [], _skD = [];

    [GlobalSetup]
    public void Setup()
    {
        var keys = Fixtures.Keys("psk-aes256-sha256-modp2048");
        _secret = Convert.FromHexString(keys["shared_secret"]);
        _ni = Convert.FromHexString(keys["ni"]);
        _nr = Convert.FromHexString(keys["nr"]);
        _spiI = Convert.FromHexString(keys["spi_i"]);
        _spiR = Convert.FromHexString(keys["spi_r"]);
        _skD = Convert.FromHexString(keys["sk_d"]);
        using var check = DeriveIkeSaKeys();
        if (!check.SkD.AsSpan().SequenceEqual(_skD))
            throw new InvalidOperationException("key schedule does not reproduce the fixture's SK_d");
    }

    [Benchmark]
    public IkeSaKeys DeriveIkeSaKeys() =>
        IkeKeySchedule.DeriveIkeSaKeys(PseudorandomFunction.HmacSha2_256, _secret, _ni, _nr, _spiI, _spiR, 32, 32);

    [Benchmark]
    public ChildSaKeys DeriveChildSaKeys() =>
        IkeKeySchedule.DeriveChildSaKeys(PseudorandomFunction.HmacSha2_256, _skD, [], _ni, _nr, 32, 32);

    [Benchmark]
    public ChildSaKeys DeriveChildSaKeysPfs() =>
        IkeKeySchedule.DeriveChildSaKeys(PseudorandomFunction.HmacSha2_256, _skD, _secret, _ni, _nr, 32, 32);
}
