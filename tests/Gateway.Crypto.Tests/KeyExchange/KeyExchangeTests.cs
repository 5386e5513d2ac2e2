using System.Numerics;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Hex;

namespace Gateway.Crypto.Tests.KeyExchange;

public class KeyExchangeTests
{
    public static TheoryData<KeyExchangeGroup> AllGroups => new(KeyExchangeFactory.SupportedGroups);

    public static TheoryData<KeyExchangeGroup, int, int> ModpDefinitions => new()
    {
        // n and k of p = 2^n − 2^(n−64) − 1 + 2^64·(⌊2^(n−130)·π⌋ + k): RFC 2409 §6.2, RFC 3526 §2–5.
        { KeyExchangeGroup.Modp1024, 1024, 129093 },
        { KeyExchangeGroup.Modp1536, 1536, 741804 },
        { KeyExchangeGroup.Modp2048, 2048, 124476 },
        { KeyExchangeGroup.Modp3072, 3072, 1690314 },
        { KeyExchangeGroup.Modp4096, 4096, 240904 },
    };

    [Theory]
    [MemberData(nameof(ModpDefinitions))]
    public void ModpPrime_MatchesRfcDefinitionFromPi(KeyExchangeGroup group, int n, int k)
    {
        var piScaled = FloorPiTimesPowerOfTwo(n - 130);
        var expected = BigInteger.Pow(2, n) - BigInteger.Pow(2, n - 64) - 1 + BigInteger.Pow(2, 64) * (piScaled + k);
        var actual = new BigInteger(ModpGroups.Prime(group), isUnsigned: true, isBigEndian: true);
        Assert.Equal(expected, actual);
        Assert.Equal(2, ModpGroups.Generator(group));
        Assert.Equal(n / 8, ModpGroups.Prime(group).Length);
    }

    [Fact]
    public void Modp2048_PrimeTextMatchesRfc3526()
    {
        var hex = S(ModpGroups.Prime(KeyExchangeGroup.Modp2048)).ToUpperInvariant();
        Assert.StartsWith("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1", hex);
        Assert.EndsWith("15728E5A8AACAA68FFFFFFFFFFFFFFFF", hex);
    }

    [Theory]
    [MemberData(nameof(AllGroups))]
    public void TwoParties_Agree(KeyExchangeGroup group)
    {
        Assert.True(KeyExchangeFactory.IsSupported(group));
        using var a = KeyExchangeFactory.Create(group);
        using var b = KeyExchangeFactory.Create(group);
        Assert.Equal(group, a.Group);
        Assert.Equal(KeyExchangeFactory.PublicKeyLength(group), a.PublicKey.Length);
        Assert.True(a.TryComputeSharedSecret(b.PublicKey, out var s1, out _));
        Assert.True(b.TryComputeSharedSecret(a.PublicKey, out var s2, out _));
        Assert.Equal(s1, s2);
        Assert.NotEqual(a.PublicKey, b.PublicKey);
        var expectedSecretLength = group switch
        {
            KeyExchangeGroup.Ecp256 => 32,
            KeyExchangeGroup.Ecp384 => 48,
            KeyExchangeGroup.Ecp521 => 66,
            KeyExchangeGroup.Curve25519 => 32,
            KeyExchangeGroup.Curve448 => 56,
            _ => a.PublicKeyLength,
        };
        Assert.Equal(expectedSecretLength, s1.Length);
    }

    [Theory]
    [MemberData(nameof(ModpDefinitions))]
    public void Modp_FixedPrivateKey_MatchesIndependentModPow(KeyExchangeGroup group, int n, int unused)
    {
        _ = unused;
        var p = new BigInteger(ModpGroups.Prime(group), isUnsigned: true, isBigEndian: true);
        var x = BigInteger.Parse("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", System.Globalization.NumberStyles.HexNumber);
        using var kex = KeyExchangeFactory.CreateWithPrivateKey(group, x.ToByteArray(isUnsigned: true, isBigEndian: true));
        var y = BigInteger.ModPow(2, x, p);
        Assert.Equal(Pad(y, n / 8), kex.PublicKey);

        using var peer = KeyExchangeFactory.Create(group);
        var peerY = new BigInteger(peer.PublicKey, isUnsigned: true, isBigEndian: true);
        Assert.True(kex.TryComputeSharedSecret(peer.PublicKey, out var secret, out _));
        Assert.Equal(Pad(BigInteger.ModPow(peerY, x, p), n / 8), secret);
    }

    [Theory]
    [InlineData(KeyExchangeGroup.Modp1024)]
    [InlineData(KeyExchangeGroup.Modp2048)]
    [InlineData(KeyExchangeGroup.Modp4096)]
    public void Modp_RejectsInvalidPeerValues(KeyExchangeGroup group)
    {
        using var kex = KeyExchangeFactory.Create(group);
        var len = kex.PublicKeyLength;
        var p = new BigInteger(ModpGroups.Prime(group), isUnsigned: true, isBigEndian: true);
        Expect(kex, new byte[len], KeyExchangeError.OutOfRange);
        Expect(kex, Pad(BigInteger.One, len), KeyExchangeError.OutOfRange);
        Expect(kex, Pad(p - 1, len), KeyExchangeError.OutOfRange);
        Expect(kex, Pad(p, len), KeyExchangeError.OutOfRange);
        Expect(kex, Enumerable.Repeat((byte)0xFF, len).ToArray(), KeyExchangeError.OutOfRange);
        Expect(kex, new byte[len - 1], KeyExchangeError.WrongLength);
        Expect(kex, new byte[len + 1], KeyExchangeError.WrongLength);
        Expect(kex, [], KeyExchangeError.WrongLength);
        // Just inside the range works.
        Assert.True(kex.TryComputeSharedSecret(Pad(p - 2, len), out _, out _));
        Assert.True(kex.TryComputeSharedSecret(Pad(2, len), out _, out _));
    }

    [Theory]
    [InlineData(KeyExchangeGroup.Ecp256)]
    [InlineData(KeyExchangeGroup.Ecp384)]
    [InlineData(KeyExchangeGroup.Ecp521)]
    public void Ecp_RejectsInvalidPeerValues(KeyExchangeGroup group)
    {
        using var kex = KeyExchangeFactory.Create(group);
        using var other = KeyExchangeFactory.Create(group);
        var good = other.PublicKey;
        var len = good.Length;

        var offCurve = (byte[])good.Clone();
        offCurve[^1] ^= 1;
        Expect(kex, offCurve, KeyExchangeError.InvalidPoint);
        Expect(kex, new byte[len], KeyExchangeError.InvalidPoint); // (0,0): not on the curve; infinity has no x‖y form
        Expect(kex, Enumerable.Repeat((byte)0xFF, len).ToArray(), KeyExchangeError.InvalidPoint); // coordinates ≥ p
        Expect(kex, good[..^1], KeyExchangeError.WrongLength);
        Expect(kex, [0x04, .. good], KeyExchangeError.WrongLength); // SEC1 uncompressed form is not the IKE format
        Assert.True(kex.TryComputeSharedSecret(good, out _, out _));
    }

    [Theory]
    // RFC 7748 §6: low-order points give an all-zero output, which must be refused.
    [InlineData(KeyExchangeGroup.Curve25519, "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(KeyExchangeGroup.Curve25519, "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(KeyExchangeGroup.Curve25519, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData(KeyExchangeGroup.Curve25519, "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")]
    [InlineData(KeyExchangeGroup.Curve25519, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [InlineData(KeyExchangeGroup.Curve448, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(KeyExchangeGroup.Curve448, "0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Montgomery_RejectsLowOrderPoints(KeyExchangeGroup group, string u)
    {
        using var kex = KeyExchangeFactory.Create(group);
        Expect(kex, H(u), KeyExchangeError.AllZeroSharedSecret);
    }

    [Theory]
    [InlineData(KeyExchangeGroup.Curve25519)]
    [InlineData(KeyExchangeGroup.Curve448)]
    public void Montgomery_RejectsWrongLength(KeyExchangeGroup group)
    {
        using var kex = KeyExchangeFactory.Create(group);
        var good = kex.PublicKey;
        Expect(kex, good[..^1], KeyExchangeError.WrongLength);
        Expect(kex, [.. good, 0], KeyExchangeError.WrongLength);
    }

    [Fact]
    public void Factory_RejectsUnsupportedGroups()
    {
        Assert.False(KeyExchangeFactory.IsSupported(KeyExchangeGroup.Modp768));
        Assert.False(KeyExchangeFactory.IsSupported(KeyExchangeGroup.Brainpool256));
        Assert.False(KeyExchangeFactory.IsSupported(KeyExchangeGroup.None));
        Assert.Throws<NotSupportedException>(() => KeyExchangeFactory.Create(KeyExchangeGroup.Modp8192));
        Assert.Equal(0, KeyExchangeFactory.PublicKeyLength(KeyExchangeGroup.Ecp192));
    }

    [Theory]
    [MemberData(nameof(AllGroups))]
    public void Disposed_RefusesToCompute(KeyExchangeGroup group)
    {
        var kex = KeyExchangeFactory.Create(group);
        var pub = kex.PublicKey;
        kex.Dispose();
        Expect(kex, pub, KeyExchangeError.Disposed);
    }

    private static void Expect(IKeyExchange kex, byte[] peer, KeyExchangeError expected)
    {
        Assert.False(kex.TryComputeSharedSecret(peer, out var secret, out var error));
        Assert.Equal(expected, error);
        Assert.Empty(secret);
    }

    private static byte[] Pad(BigInteger value, int length)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[length];
        raw.CopyTo(result, length - raw.Length);
        return result;
    }

    /// <summary>⌊π·2^bits⌋ by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), with guard bits.</summary>
    private static BigInteger FloorPiTimesPowerOfTwo(int bits)
    {
        const int guard = 64;
        var one = BigInteger.One << (bits + guard);
        var pi = 16 * ArctanInverse(5, one) - 4 * ArctanInverse(239, one);
        return pi >> guard;
    }

    private static BigInteger ArctanInverse(int x, BigInteger one)
    {
        BigInteger sum = 0;
        var term = one / x;
        var x2 = x * x;
        for (var k = 0; !term.IsZero; k++)
        {
            var t = term / (2 * k + 1);
            sum += k % 2 == 0 ? t : -t;
            term /= x2;
        }

        return sum;
    }
}
