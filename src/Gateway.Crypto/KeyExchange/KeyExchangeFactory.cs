using Gateway.Ike;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Gateway.Crypto.KeyExchange;

/// <summary>Creates key exchange objects for the groups this library implements.</summary>
public static class KeyExchangeFactory
{
    private static readonly KeyExchangeGroup[] Supported =
    [
        KeyExchangeGroup.Modp1024, KeyExchangeGroup.Modp1536, KeyExchangeGroup.Modp2048, KeyExchangeGroup.Modp3072,
        KeyExchangeGroup.Modp4096, KeyExchangeGroup.Ecp256, KeyExchangeGroup.Ecp384, KeyExchangeGroup.Ecp521,
        KeyExchangeGroup.Curve25519, KeyExchangeGroup.Curve448,
    ];

    /// <summary>The supported groups, in IANA order.</summary>
    public static IReadOnlyList<KeyExchangeGroup> SupportedGroups => Supported;

    /// <summary>True when <see cref="Create"/> accepts the group.</summary>
    public static bool IsSupported(KeyExchangeGroup group) => Array.IndexOf(Supported, group) >= 0;

    /// <summary>Length of the KE payload's key exchange data for a group (0 when unsupported).</summary>
    public static int PublicKeyLength(KeyExchangeGroup group) => group switch
    {
        KeyExchangeGroup.Modp1024 => 128,
        KeyExchangeGroup.Modp1536 => 192,
        KeyExchangeGroup.Modp2048 => 256,
        KeyExchangeGroup.Modp3072 => 384,
        KeyExchangeGroup.Modp4096 => 512,
        KeyExchangeGroup.Ecp256 => 64,
        KeyExchangeGroup.Ecp384 => 96,
        KeyExchangeGroup.Ecp521 => 132,
        KeyExchangeGroup.Curve25519 => 32,
        KeyExchangeGroup.Curve448 => 56,
        _ => 0,
    };

    /// <summary>Creates a fresh ephemeral key pair for the group.</summary>
    /// <exception cref="NotSupportedException">The group is not supported.</exception>
    public static IKeyExchange Create(KeyExchangeGroup group)
    {
        if (ModpGroups.IsModp(group))
        {
            return new ModpKeyExchange(group, new SecureRandom());
        }

        return group switch
        {
            KeyExchangeGroup.Ecp256 or KeyExchangeGroup.Ecp384 or KeyExchangeGroup.Ecp521 => new EcpKeyExchange(group),
            KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new MontgomeryKeyExchange(group, new SecureRandom()),
            _ => throw new NotSupportedException($"key exchange group {group} is not supported"),
        };
    }

    /// <summary>
    /// Creates a key exchange with a fixed private key, for vector tests only. MODP: big-endian exponent;
    /// ECP: big-endian scalar d; X25519/X448: the raw scalar string of RFC 7748.
    /// </summary>
    internal static IKeyExchange CreateWithPrivateKey(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey)
    {
        if (ModpGroups.IsModp(group))
        {
            return new ModpKeyExchange(group, new BigInteger(1, privateKey));
        }

        return group switch
        {
            KeyExchangeGroup.Ecp256 or KeyExchangeGroup.Ecp384 or KeyExchangeGroup.Ecp521 => new EcpKeyExchange(group, privateKey),
            KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new MontgomeryKeyExchange(group, privateKey),
            _ => throw new NotSupportedException($"key exchange group {group} is not supported"),
        };
    }
}
