using Gateway.Ike;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace Gateway.Crypto.KeyExchange;

/// <summary>Finite-field Diffie-Hellman over the MODP groups of RFC 2409 and RFC 3526 (BouncyCastle arithmetic).</summary>
internal sealed class ModpKeyExchange : IKeyExchange
{
    private readonly DHParameters _parameters;
    private readonly int _length;
    private BigInteger? _x;
    private readonly byte[] _public;

    internal ModpKeyExchange(KeyExchangeGroup group, SecureRandom random)
        : this(group, GeneratePrivate(group, random))
    {
    }

    internal ModpKeyExchange(KeyExchangeGroup group, BigInteger privateExponent)
    {
        Group = group;
        _parameters = ModpGroups.Get(group);
        _length = (_parameters.P.BitLength + 7) / 8;
        if (privateExponent.SignValue <= 0 || privateExponent.CompareTo(_parameters.P.Subtract(BigInteger.One)) >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(privateExponent));
        }

        _x = privateExponent;
        var y = _parameters.G.ModPow(privateExponent, _parameters.P);
        _public = BigIntegers.AsUnsignedByteArray(_length, y);
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => _length;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_x is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != _length)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var p = _parameters.P;
        var y = new BigInteger(1, peerPublic);
        // 1 < y < p-1 (RFC 7296 §5 / SP 800-56A partial public key validation).
        if (y.CompareTo(BigInteger.One) <= 0 || y.CompareTo(p.Subtract(BigInteger.One)) >= 0)
        {
            error = KeyExchangeError.OutOfRange;
            return false;
        }

        var agreement = new DHBasicAgreement();
        agreement.Init(new DHPrivateKeyParameters(_x, _parameters));
        var z = agreement.CalculateAgreement(new DHPublicKeyParameters(y, _parameters));
        secret = BigIntegers.AsUnsignedByteArray(_length, z);
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose() => _x = null;

    private static BigInteger GeneratePrivate(KeyExchangeGroup group, SecureRandom random)
    {
        // Private exponent of at least twice the group's security strength (RFC 3526 §8 advice), at least 256 bits.
        var p = ModpGroups.Get(group).P;
        var bits = ModpGroups.ExponentBits(group);
        BigInteger x;
        do
        {
            x = new BigInteger(bits, random);
        }
        while (x.BitLength < bits - 8 || x.CompareTo(p.Subtract(BigInteger.Two)) >= 0);
        return x;
    }
}
