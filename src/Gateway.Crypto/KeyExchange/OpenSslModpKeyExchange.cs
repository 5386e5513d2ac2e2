using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// Finite-field Diffie-Hellman over the MODP groups of RFC 2409 and RFC 3526 with libcrypto's constant-time
/// Montgomery exponentiation (BN_mod_exp_mont_consttime). Same private exponent sizes, encoding and peer-value checks
/// as <see cref="ModpKeyExchange"/>; only the exponentiation moves to OpenSSL.
/// </summary>
internal sealed class OpenSslModpKeyExchange : IKeyExchange
{
    private static readonly byte[] Generator = [2];
    private readonly byte[] _prime;
    private byte[]? _x;
    private readonly byte[] _public;

    internal OpenSslModpKeyExchange(KeyExchangeGroup group)
        : this(group, GeneratePrivate(group))
    {
    }

    /// <summary>Fixed private exponent x (big-endian), 0 &lt; x &lt; p − 1.</summary>
    internal OpenSslModpKeyExchange(KeyExchangeGroup group, byte[] privateExponent)
    {
        Group = group;
        _prime = ModpGroups.PrimeBytes(group);
        var x = privateExponent.AsSpan().TrimStart((byte)0);
        if (x.IsEmpty || !ModpGroups.IsBelowPrimeMinusOne(x, _prime))
        {
            throw new ArgumentOutOfRangeException(nameof(privateExponent));
        }

        _x = x.ToArray();
        CryptographicOperations.ZeroMemory(privateExponent);
        _public = new byte[_prime.Length];
        OpenSslNative.ModExp(Generator, _x, _prime, _public);
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => _prime.Length;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_x is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != _prime.Length)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        // 1 < y < p-1 (RFC 7296 §5 / SP 800-56A partial public key validation).
        if (!ModpGroups.IsInRange(peerPublic, _prime))
        {
            error = KeyExchangeError.OutOfRange;
            return false;
        }

        var z = new byte[_prime.Length];
        try
        {
            OpenSslNative.ModExp(peerPublic, _x, _prime, z);
        }
        catch (OpenSslNative.OpenSslException)
        {
            CryptographicOperations.ZeroMemory(z);
            error = KeyExchangeError.OutOfRange;
            return false;
        }

        secret = z;
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        if (_x is not null)
        {
            CryptographicOperations.ZeroMemory(_x);
            _x = null;
        }
    }

    private static byte[] GeneratePrivate(KeyExchangeGroup group)
    {
        // Same rule as the managed implementation: ExponentBits random bits with the top byte non-zero
        // (so at least bits − 8 bits long); far below p − 2 for every group.
        var x = new byte[ModpGroups.ExponentBits(group) / 8];
        do
        {
            RandomNumberGenerator.Fill(x);
        }
        while (x[0] == 0);
        return x;
    }
}
