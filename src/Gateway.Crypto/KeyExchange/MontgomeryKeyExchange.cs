using System.Security.Cryptography;
using Gateway.Ike;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Security;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// Curve25519 (group 31) and Curve448 (group 32) per RFC 8031 / RFC 7748, using BouncyCastle's X25519/X448
/// (.NET has no X25519/X448). Public values and shared secrets are raw little-endian strings.
/// </summary>
internal sealed class MontgomeryKeyExchange : IKeyExchange
{
    private byte[]? _privateKey;
    private readonly byte[] _public;

    internal MontgomeryKeyExchange(KeyExchangeGroup group, SecureRandom random)
    {
        Group = group;
        _privateKey = new byte[KeyLength(group)];
        if (group == KeyExchangeGroup.Curve25519)
        {
            X25519.GeneratePrivateKey(random, _privateKey);
        }
        else
        {
            X448.GeneratePrivateKey(random, _privateKey);
        }

        _public = DerivePublic();
    }

    /// <summary>Fixed private scalar (tests, vectors); clamping is applied by the scalar multiplication.</summary>
    internal MontgomeryKeyExchange(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey)
    {
        Group = group;
        if (privateKey.Length != KeyLength(group))
        {
            throw new ArgumentException("wrong private key length", nameof(privateKey));
        }

        _privateKey = privateKey.ToArray();
        _public = DerivePublic();
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => _public.Length;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_privateKey is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != _public.Length)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var u = peerPublic.ToArray();
        var result = new byte[_public.Length];
        if (Group == KeyExchangeGroup.Curve25519)
        {
            X25519.ScalarMult(_privateKey, 0, u, 0, result, 0);
        }
        else
        {
            X448.ScalarMult(_privateKey, 0, u, 0, result, 0);
        }

        // RFC 7748 §6: reject an all-zero output (peer sent a low-order point). Checked in constant time.
        var acc = 0;
        foreach (var b in result)
        {
            acc |= b;
        }

        if (acc == 0)
        {
            error = KeyExchangeError.AllZeroSharedSecret;
            return false;
        }

        secret = result;
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        if (_privateKey is not null)
        {
            CryptographicOperations.ZeroMemory(_privateKey);
            _privateKey = null;
        }
    }

    private byte[] DerivePublic()
    {
        var pub = new byte[_privateKey!.Length];
        if (Group == KeyExchangeGroup.Curve25519)
        {
            X25519.GeneratePublicKey(_privateKey, 0, pub, 0);
        }
        else
        {
            X448.GeneratePublicKey(_privateKey, 0, pub, 0);
        }

        return pub;
    }

    private static int KeyLength(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Curve25519 => X25519.ScalarSize,
        KeyExchangeGroup.Curve448 => X448.ScalarSize,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a Montgomery curve group"),
    };
}
