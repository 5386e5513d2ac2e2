using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// Curve25519 (group 31) and Curve448 (group 32) per RFC 8031 / RFC 7748 with libcrypto's X25519/X448 (EVP_PKEY).
/// The private key is 32/56 random bytes (libcrypto clamps them, as RFC 7748 §5 says); an all-zero shared secret
/// (low-order peer point, RFC 7748 §6) is refused — libcrypto refuses to derive it, and we check again.
/// </summary>
internal sealed class OpenSslMontgomeryKeyExchange : IKeyExchange
{
    private readonly int _nid;
    private OpenSslNative.SafeEvpPkey? _key;
    private readonly byte[] _public;

    internal OpenSslMontgomeryKeyExchange(KeyExchangeGroup group)
        : this(group, RandomNumberGenerator.GetBytes(KeyLength(group)), ownsPrivateKey: true)
    {
    }

    /// <summary>Fixed private scalar (tests, vectors), the raw string of RFC 7748.</summary>
    internal OpenSslMontgomeryKeyExchange(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey)
        : this(group, privateKey.ToArray(), ownsPrivateKey: true)
    {
    }

    private OpenSslMontgomeryKeyExchange(KeyExchangeGroup group, byte[] privateKey, bool ownsPrivateKey)
    {
        Group = group;
        var length = KeyLength(group);
        if (privateKey.Length != length)
        {
            throw new ArgumentException("wrong private key length", nameof(privateKey));
        }

        _nid = group == KeyExchangeGroup.Curve25519 ? OpenSslNative.NidX25519 : OpenSslNative.NidX448;
        try
        {
            _key = OpenSslNative.RawPrivateKey(_nid, privateKey);
            _public = new byte[length];
            OpenSslNative.GetRawPublicKey(_key, _public);
        }
        catch
        {
            _key?.Dispose();
            throw;
        }
        finally
        {
            if (ownsPrivateKey)
                CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => _public.Length;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_key is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != _public.Length)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var result = new byte[_public.Length];
        using (var peer = OpenSslNative.RawPublicKey(_nid, peerPublic))
        {
            // libcrypto fails the derivation exactly when the result is all zero (RFC 7748 §6).
            if (!OpenSslNative.TryDerive(_key, peer, result) || IsAllZero(result))
            {
                error = KeyExchangeError.AllZeroSharedSecret;
                return false;
            }
        }

        secret = result;
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        _key?.Dispose();
        _key = null;
    }

    /// <summary>Constant time over the whole buffer.</summary>
    private static bool IsAllZero(ReadOnlySpan<byte> value)
    {
        var acc = 0;
        foreach (var b in value)
        {
            acc |= b;
        }

        return acc == 0;
    }

    internal static int KeyLength(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Curve25519 => 32,
        KeyExchangeGroup.Curve448 => 56,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a Montgomery curve group"),
    };
}
