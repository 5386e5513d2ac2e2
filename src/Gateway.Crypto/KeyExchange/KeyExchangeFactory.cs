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

    /// <summary>
    /// Internal switch: true (default when libcrypto 3 loads) computes MODP, ECP and X25519/X448 with OpenSSL's libcrypto;
    /// false uses the managed implementations (BouncyCastle, .NET ECDiffieHellman). Tests and benchmarks flip it.
    /// </summary>
    internal static bool UseOpenSsl
    {
        get => _useOpenSsl;
        set => _useOpenSsl = value && OpenSslNative.IsAvailable;
    }

    private static bool _useOpenSsl = OpenSslNative.IsAvailable;

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
    public static IKeyExchange Create(KeyExchangeGroup group) => Create(group, KeyExchangeBackend.Default);

    /// <summary>As <see cref="Create(KeyExchangeGroup)"/> with an explicit implementation (tests, benchmarks).</summary>
    internal static IKeyExchange Create(KeyExchangeGroup group, KeyExchangeBackend backend)
    {
        RequireSupported(group);
        if (Resolve(backend) == KeyExchangeBackend.OpenSsl)
        {
            return group switch
            {
                _ when ModpGroups.IsModp(group) => new OpenSslModpKeyExchange(group),
                KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new OpenSslMontgomeryKeyExchange(group),
                _ => new OpenSslEcpKeyExchange(group),
            };
        }

        return group switch
        {
            _ when ModpGroups.IsModp(group) => new ModpKeyExchange(group, new SecureRandom()),
            KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new MontgomeryKeyExchange(group, new SecureRandom()),
            _ => new EcpKeyExchange(group),
        };
    }

    /// <summary>
    /// Creates a key exchange with a fixed private key, for vector tests only. MODP: big-endian exponent;
    /// ECP: big-endian scalar d; X25519/X448: the raw scalar string of RFC 7748.
    /// </summary>
    internal static IKeyExchange CreateWithPrivateKey(KeyExchangeGroup group, ReadOnlySpan<byte> privateKey,
        KeyExchangeBackend backend = KeyExchangeBackend.Default)
    {
        RequireSupported(group);
        if (Resolve(backend) == KeyExchangeBackend.OpenSsl)
        {
            return group switch
            {
                _ when ModpGroups.IsModp(group) => new OpenSslModpKeyExchange(group, privateKey.ToArray()),
                KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new OpenSslMontgomeryKeyExchange(group, privateKey),
                _ => new OpenSslEcpKeyExchange(group, privateKey),
            };
        }

        return group switch
        {
            _ when ModpGroups.IsModp(group) => new ModpKeyExchange(group, new BigInteger(1, privateKey)),
            KeyExchangeGroup.Curve25519 or KeyExchangeGroup.Curve448 => new MontgomeryKeyExchange(group, privateKey),
            _ => new EcpKeyExchange(group, privateKey),
        };
    }

    private static KeyExchangeBackend Resolve(KeyExchangeBackend backend) => backend switch
    {
        KeyExchangeBackend.Default => UseOpenSsl ? KeyExchangeBackend.OpenSsl : KeyExchangeBackend.Managed,
        KeyExchangeBackend.OpenSsl when !OpenSslNative.IsAvailable => throw new PlatformNotSupportedException("libcrypto 3 is not available"),
        _ => backend,
    };

    private static void RequireSupported(KeyExchangeGroup group)
    {
        if (!IsSupported(group))
        {
            throw new NotSupportedException($"key exchange group {group} is not supported");
        }
    }
}

/// <summary>Which implementation computes a key exchange.</summary>
internal enum KeyExchangeBackend
{
    /// <summary>libcrypto when it loaded (<see cref="KeyExchangeFactory.UseOpenSsl"/>), else managed.</summary>
    Default,
    /// <summary>OpenSSL's libcrypto (MODP: BN_mod_exp_mont_consttime; ECP, X25519, X448: EVP_PKEY).</summary>
    OpenSsl,
    /// <summary>BouncyCastle (MODP, X25519, X448) and .NET ECDiffieHellman (ECP): the fallback.</summary>
    Managed,
}
