using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// ECDH over the NIST curves of RFC 5903 (groups 19, 20, 21) with libcrypto's EVP_PKEY directly: one key generation,
/// one peer import (decode + on-curve check + EVP_PKEY_public_check_quick) and one derivation per exchange, without
/// the object layers of <see cref="ECDiffieHellman"/>. Wire format x‖y; the shared secret is the x coordinate.
/// </summary>
internal sealed class OpenSslEcpKeyExchange : IKeyExchange
{
    private readonly int _coordinateLength;
    private OpenSslNative.SafeEvpPkey? _key;
    private readonly byte[] _public;

    internal OpenSslEcpKeyExchange(KeyExchangeGroup group)
    {
        Group = group;
        string curve;
        (curve, _coordinateLength) = CurveOf(group);
        _key = OpenSslNative.GenerateEcKey(curve);
        _public = ExportPublic();
    }

    /// <summary>Fixed private key (tests, vectors): imported through .NET (which derives the public point), then shared with libcrypto.</summary>
    internal OpenSslEcpKeyExchange(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey)
    {
        Group = group;
        (_, _coordinateLength) = CurveOf(group);
        var d = new byte[_coordinateLength];
        privateKey.CopyTo(d.AsSpan(_coordinateLength - privateKey.Length));
        if (OperatingSystem.IsWindows() || OperatingSystem.IsBrowser())
        {
            throw new PlatformNotSupportedException("libcrypto key exchange needs a platform with OpenSSL");
        }

        using var ecdh = new ECDiffieHellmanOpenSsl();
        try
        {
            ecdh.ImportParameters(new ECParameters { Curve = DotNetCurve(group), D = d });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }

        var q = ecdh.ExportParameters(false).Q;
        _public = new byte[2 * _coordinateLength];
        q.X!.CopyTo(_public.AsSpan(_coordinateLength - q.X!.Length));
        q.Y!.CopyTo(_public.AsSpan(2 * _coordinateLength - q.Y!.Length));
        using var handle = ecdh.DuplicateKeyHandle();
        _key = OpenSslNative.SafeEvpPkey.FromDotNet(handle);
    }

    public KeyExchangeGroup Group { get; }

    public int PublicKeyLength => 2 * _coordinateLength;

    public byte[] PublicKey => (byte[])_public.Clone();

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error)
    {
        secret = [];
        if (_key is null)
        {
            error = KeyExchangeError.Disposed;
            return false;
        }

        if (peerPublic.Length != 2 * _coordinateLength)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        // IKE's x‖y (RFC 5903 §7) is SEC1's uncompressed point without the 0x04 prefix.
        Span<byte> point = stackalloc byte[1 + 2 * 66];
        point = point[..(1 + peerPublic.Length)];
        point[0] = 0x04;
        peerPublic.CopyTo(point[1..]);

        using var peer = OpenSslNative.EcPublicKey(_key, point);
        if (peer is null)
        {
            error = KeyExchangeError.InvalidPoint;
            return false;
        }

        var z = new byte[_coordinateLength];
        if (!OpenSslNative.TryDerive(_key, peer, z))
        {
            error = KeyExchangeError.InvalidPoint;
            return false;
        }

        secret = z;
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        _key?.Dispose();
        _key = null;
    }

    private byte[] ExportPublic()
    {
        Span<byte> point = stackalloc byte[1 + 2 * 66];
        point = point[..(1 + 2 * _coordinateLength)];
        OpenSslNative.GetEcPublicPoint(_key!, point);
        if (point[0] != 0x04)
        {
            throw new OpenSslNative.OpenSslException("EC public point is not uncompressed");
        }

        return point[1..].ToArray();
    }

    private static (string Curve, int CoordinateLength) CurveOf(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Ecp256 => ("P-256", 32),
        KeyExchangeGroup.Ecp384 => ("P-384", 48),
        KeyExchangeGroup.Ecp521 => ("P-521", 66),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a supported ECP group"),
    };

    private static ECCurve DotNetCurve(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Ecp256 => ECCurve.NamedCurves.nistP256,
        KeyExchangeGroup.Ecp384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };
}
