using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gateway.Crypto.Sk;

namespace Gateway.Benchmarks;

/// <summary>
/// Investigation, not part of the default run (select with --filter *PrimitiveBreakdown*): the .NET primitives under
/// the SK/ESP transforms, called directly with reused objects, at 1400 bytes — to tell the transforms' own overhead
/// from the cost of the .NET (OpenSSL-backed) primitives; and the libcrypto contexts keyed once that replaced them,
/// including the ways of reusing a keyed HMAC (EVP_MAC_init with a NULL key, EVP_MAC_CTX_dup, HMAC_CTX, and the
/// low-level digest states that replaced them, <see cref="OpenSslDigestHmac"/>) and AES-CBC on AES-NI.
/// </summary>
public class PrimitiveBreakdownBenchmarks
{
    private readonly byte[] _data = Suite.Filled(1400, 3), _out = new byte[1400], _tag = new byte[16], _nonce = new byte[12], _aad = new byte[8];
    private readonly byte[] _iv = new byte[16], _mac = new byte[32];
    private AesGcm _gcm = null!;
    private ChaCha20Poly1305 _chacha = null!;
    private Aes _aes = null!;
    private IncrementalHash _hmac = null!;
    private OpenSslCipher.SafeCipherCtx _evpGcm = null!, _evpCbc = null!, _evpChaCha = null!;
    private OpenSslCipher.SafeMacCtx _evpMac = null!;
    private OpenSslCipher.SafeHmacCtx _legacyHmac = null!;
    private OpenSslDigestHmac _digestHmac = null!;
    private AesNiCbc _aesNi = null!;

    [Params(64, 1400)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gcm = new AesGcm(Suite.Filled(16, 1), 16);
        _chacha = new ChaCha20Poly1305(Suite.Filled(32, 1));
        _aes = Aes.Create();
        _aes.SetKey(Suite.Filled(16, 1));
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Suite.Filled(32, 2));
        _evpGcm = OpenSslCipher.CreateCipher("AES-128-GCM", Suite.Filled(16, 1), encrypt: true);
        _evpCbc = OpenSslCipher.CreateCipher("AES-128-CBC", Suite.Filled(16, 1), encrypt: true);
        _evpChaCha = OpenSslCipher.CreateCipher("ChaCha20-Poly1305", Suite.Filled(32, 1), encrypt: true);
        _evpMac = OpenSslCipher.CreateHmac("SHA256", Suite.Filled(32, 2));
        _legacyHmac = OpenSslCipher.CreateLegacyHmac("SHA256", Suite.Filled(32, 2));
        _digestHmac = new OpenSslDigestHmac("SHA256", Suite.Filled(32, 2));
        _aesNi = new AesNiCbc(Suite.Filled(16, 1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gcm.Dispose();
        _chacha.Dispose();
        _aes.Dispose();
        _hmac.Dispose();
        _evpGcm.Dispose();
        _evpCbc.Dispose();
        _evpChaCha.Dispose();
        _evpMac.Dispose();
        _legacyHmac.Dispose();
        _digestHmac.Dispose();
        _aesNi.Dispose();
    }

    [Benchmark] public void EvpGcmEncrypt() => OpenSslCipher.AeadEncrypt(_evpGcm, _nonce, _aad, _data.AsSpan(0, Size), _out.AsSpan(0, Size), _tag);

    [Benchmark] public void EvpChaChaEncrypt() => OpenSslCipher.AeadEncrypt(_evpChaCha, _nonce, _aad, _data.AsSpan(0, Size), _out.AsSpan(0, Size), _tag);

    [Benchmark] public void EvpRandomIv() => OpenSslCipher.RandomBytes(_iv);

    [Benchmark] public void DotNetRandomIv() => RandomNumberGenerator.Fill(_iv);

    [Benchmark] public void EvpCbcEncrypt() => OpenSslCipher.Cbc(_evpCbc, true, 16, _iv, _data.AsSpan(0, Size & ~15), _out);

    [Benchmark]
    public void EvpMacReinit()
    {
        OpenSslCipher.MacUpdate(_evpMac, _data.AsSpan(0, Size));
        OpenSslCipher.MacFinalAndReset(_evpMac, _mac);
    }

    [Benchmark] public void EvpMacDup() => OpenSslCipher.MacOnceByDup(_evpMac, _data.AsSpan(0, Size), _mac);

    [Benchmark]
    public void DigestHmac()
    {
        _digestHmac.Update(_data.AsSpan(0, Size));
        _digestHmac.FinalAndReset(_mac);
    }

    [Benchmark] public void AesNiCbcEncrypt() => _aesNi.Encrypt(_iv, _data.AsSpan(0, Size & ~15), _out);

    [Benchmark] public void LegacyHmacCtx() => OpenSslCipher.LegacyHmacOnce(_legacyHmac, _data.AsSpan(0, Size), _mac);

    [Benchmark] public void AesGcmEncrypt() => _gcm.Encrypt(_nonce, _data.AsSpan(0, Size), _out.AsSpan(0, Size), _tag, _aad);

    [Benchmark] public void ChaChaEncrypt() => _chacha.Encrypt(_nonce, _data.AsSpan(0, Size), _out.AsSpan(0, Size), _tag, _aad);

    [Benchmark] public int AesCbcEncrypt() => _aes.EncryptCbc(_data.AsSpan(0, Size & ~15), _iv, _out, PaddingMode.None);

    [Benchmark]
    public int HmacSha256()
    {
        _hmac.AppendData(_data.AsSpan(0, Size));
        return _hmac.GetHashAndReset(_mac);
    }
}
