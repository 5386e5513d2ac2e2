using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// ECDH over the NIST curves of RFC 5903 (groups 19, 20, 21) with .NET's OpenSSL-backed <see cref="ECDiffieHellman"/>.
/// Wire format x‖y, each coordinate padded to the field length; the shared secret is the x coordinate.
/// </summary>
internal sealed class EcpKeyExchange : IKeyExchange
{
    private readonly ECCurve _curve;
    private readonly int _coordinateLength;
    private ECDiffieHellman? _ecdh;
    private readonly byte[] _public;

    internal EcpKeyExchange(KeyExchangeGroup group)
    {
        Group = group;
        (_curve, _coordinateLength) = CurveOf(group);
        _ecdh = ECDiffieHellman.Create(_curve);
        _public = Encode(_ecdh.ExportParameters(false).Q);
    }

    /// <summary>Fixed private key (tests, vectors). The public point is derived from d.</summary>
    internal EcpKeyExchange(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey)
    {
        Group = group;
        (_curve, _coordinateLength) = CurveOf(group);
        var d = new byte[_coordinateLength];
        privateKey.CopyTo(d.AsSpan(_coordinateLength - privateKey.Length));
        _ecdh = ECDiffieHellman.Create();
        _ecdh.ImportParameters(new ECParameters { Curve = _curve, D = d });
        CryptographicOperations.ZeroMemory(d);
        _public = Encode(_ecdh.ExportParameters(false).Q);
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => 2 * _coordinateLength;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_ecdh is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != 2 * _coordinateLength)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var q = new ECPoint
        {
            X = peerPublic[.._coordinateLength].ToArray(),
            Y = peerPublic[_coordinateLength..].ToArray(),
        };
        try
        {
            // ImportParameters validates the point (coordinates in the field, on the curve; infinity has no x‖y encoding).
            using var peer = ECDiffieHellman.Create(new ECParameters { Curve = _curve, Q = q });
            using var peerKey = peer.PublicKey;
            secret = _ecdh.DeriveRawSecretAgreement(peerKey);
        }
        catch (CryptographicException)
        {
            error = KeyExchangeError.InvalidPoint;
            return false;
        }

        if (secret.Length != _coordinateLength)
        {
            var padded = new byte[_coordinateLength];
            secret.CopyTo(padded.AsSpan(_coordinateLength - secret.Length));
            CryptographicOperations.ZeroMemory(secret);
            secret = padded;
        }

        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        _ecdh?.Dispose();
        _ecdh = null;
    }

    private byte[] Encode(ECPoint q)
    {
        var result = new byte[2 * _coordinateLength];
        q.X!.CopyTo(result.AsSpan(_coordinateLength - q.X!.Length));
        q.Y!.CopyTo(result.AsSpan(2 * _coordinateLength - q.Y!.Length));
        return result;
    }

    private static (ECCurve Curve, int CoordinateLength) CurveOf(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Ecp256 => (ECCurve.NamedCurves.nistP256, 32),
        KeyExchangeGroup.Ecp384 => (ECCurve.NamedCurves.nistP384, 48),
        KeyExchangeGroup.Ecp521 => (ECCurve.NamedCurves.nistP521, 66),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a supported ECP group"),
    };
}
