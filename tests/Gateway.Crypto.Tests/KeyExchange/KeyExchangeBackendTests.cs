using System.Numerics;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Hex;

namespace Gateway.Crypto.Tests.KeyExchange;

/// <summary>
/// Both implementations of every group — libcrypto (the default where it loads) and the managed fallback
/// (BouncyCastle, .NET ECDiffieHellman) — against the same vectors and peer-value checks, and against each other.
/// </summary>
public class KeyExchangeBackendTests
{
    /// <summary>"openssl" and "managed" (test parameters must be public types; the backend enum is internal).</summary>
    private static readonly string[] Backends = OpenSslNative.IsAvailable ? ["openssl", "managed"] : ["managed"];

    private static KeyExchangeBackend B(string backend) => backend == "openssl" ? KeyExchangeBackend.OpenSsl : KeyExchangeBackend.Managed;

    public static TheoryData<KeyExchangeGroup, string> GroupsAndBackends()
    {
        var data = new TheoryData<KeyExchangeGroup, string>();
        foreach (var group in KeyExchangeFactory.SupportedGroups)
        {
            foreach (var backend in Backends)
            {
                data.Add(group, backend);
            }
        }

        return data;
    }

    public static TheoryData<string> AllBackends() => new(Backends);

    public static TheoryData<KeyExchangeGroup> AllGroups => new(KeyExchangeFactory.SupportedGroups);

    public static TheoryData<string, KeyExchangeGroup, string, string, string, string, string, string, string> Rfc5903ByBackend()
    {
        var data = new TheoryData<string, KeyExchangeGroup, string, string, string, string, string, string, string>();
        foreach (var backend in Backends)
        {
            foreach (object[] v in KeyExchangeVectorTests.Rfc5903)
            {
                data.Add(backend, (KeyExchangeGroup)v[0]!, (string)v[1]!, (string)v[2]!, (string)v[3]!, (string)v[4]!, (string)v[5]!, (string)v[6]!, (string)v[7]!);
            }
        }

        return data;
    }

    [Fact]
    public void Libcrypto_LoadsOnLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.True(OpenSslNative.IsAvailable);
        Assert.StartsWith("OpenSSL 3", OpenSslNative.VersionText);
        Assert.True(KeyExchangeFactory.UseOpenSsl);
    }

    [Theory]
    [MemberData(nameof(AllGroups))]
    public void Backends_AreTheExpectedImplementations(KeyExchangeGroup group)
    {
        using var managed = KeyExchangeFactory.Create(group, KeyExchangeBackend.Managed);
        Assert.DoesNotContain("OpenSsl", managed.GetType().Name);
        if (OpenSslNative.IsAvailable)
        {
            using var native = KeyExchangeFactory.Create(group, KeyExchangeBackend.OpenSsl);
            Assert.StartsWith("OpenSsl", native.GetType().Name);
        }
    }

    [Fact]
    public void Switch_Off_FallsBackToManaged()
    {
        var previous = KeyExchangeFactory.UseOpenSsl;
        try
        {
            KeyExchangeFactory.UseOpenSsl = false;
            foreach (var group in KeyExchangeFactory.SupportedGroups)
            {
                using var kex = KeyExchangeFactory.Create(group);
                Assert.DoesNotContain("OpenSsl", kex.GetType().Name);
            }
        }
        finally
        {
            KeyExchangeFactory.UseOpenSsl = previous;
        }

        Assert.Equal(OpenSslNative.IsAvailable, KeyExchangeFactory.UseOpenSsl);
    }

    [Theory]
    [MemberData(nameof(AllGroups))]
    public void OpenSslAndManaged_Agree(KeyExchangeGroup group)
    {
        if (!OpenSslNative.IsAvailable)
        {
            return;
        }

        for (var i = 0; i < 3; i++)
        {
            using var native = KeyExchangeFactory.Create(group, KeyExchangeBackend.OpenSsl);
            using var managed = KeyExchangeFactory.Create(group, KeyExchangeBackend.Managed);
            Assert.Equal(managed.PublicKeyLength, native.PublicKeyLength);
            Assert.Equal(KeyExchangeFactory.PublicKeyLength(group), native.PublicKey.Length);
            Assert.True(native.TryComputeSharedSecret(managed.PublicKey, out var s1, out var e1), e1.ToString());
            Assert.True(managed.TryComputeSharedSecret(native.PublicKey, out var s2, out var e2), e2.ToString());
            Assert.Equal(s2, s1);
        }
    }

    [Theory]
    [MemberData(nameof(GroupsAndBackends))]
    public void TwoParties_Agree_AndKeysDiffer(KeyExchangeGroup group, string backend)
    {
        using var a = KeyExchangeFactory.Create(group, B(backend));
        using var b = KeyExchangeFactory.Create(group, B(backend));
        Assert.Equal(group, a.Group);
        Assert.NotEqual(a.PublicKey, b.PublicKey);
        Assert.True(a.TryComputeSharedSecret(b.PublicKey, out var s1, out _));
        Assert.True(b.TryComputeSharedSecret(a.PublicKey, out var s2, out _));
        Assert.Equal(s1, s2);
        // The secret can be computed again (the private key is kept until Dispose).
        Assert.True(a.TryComputeSharedSecret(b.PublicKey, out var again, out _));
        Assert.Equal(s1, again);
    }

    [Theory]
    [MemberData(nameof(GroupsAndBackends))]
    public void Disposed_RefusesToCompute(KeyExchangeGroup group, string backend)
    {
        var kex = KeyExchangeFactory.Create(group, B(backend));
        var pub = kex.PublicKey;
        kex.Dispose();
        kex.Dispose();
        Assert.False(kex.TryComputeSharedSecret(pub, out var secret, out var error));
        Assert.Equal(KeyExchangeError.Disposed, error);
        Assert.Empty(secret);
    }

    [Theory]
    [MemberData(nameof(Rfc5903ByBackend))]
    public void Ecp_Rfc5903_Section8(string backend, KeyExchangeGroup group, string i, string gix, string giy, string r, string grx, string gry, string girx)
    {
        using var initiator = KeyExchangeFactory.CreateWithPrivateKey(group, H(i), B(backend));
        using var responder = KeyExchangeFactory.CreateWithPrivateKey(group, H(r), B(backend));
        Assert.Equal(H(gix + giy), initiator.PublicKey);
        Assert.Equal(H(grx + gry), responder.PublicKey);
        Assert.True(initiator.TryComputeSharedSecret(H(grx + gry), out var s1, out _));
        Assert.True(responder.TryComputeSharedSecret(H(gix + giy), out var s2, out _));
        Assert.Equal(H(girx), s1);
        Assert.Equal(H(girx), s2);
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void X25519_X448_Rfc7748_Section6(string backend)
    {
        // §6.1
        using var a25519 = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), B(backend));
        Assert.Equal(H("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), a25519.PublicKey);
        Assert.True(a25519.TryComputeSharedSecret(H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), out var k1, out _));
        Assert.Equal(H("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), k1);

        // §6.2
        using var a448 = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve448,
            H("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b"), B(backend));
        Assert.Equal(H("9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0"), a448.PublicKey);
        Assert.True(a448.TryComputeSharedSecret(
            H("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609"), out var k2, out _));
        Assert.Equal(H("07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"), k2);
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void X25519_Rfc7748_Section5_2_NonCanonicalU(string backend)
    {
        // The second §5.2 vector has the top bit of u set, which X25519 must ignore (RFC 7748 §5).
        using var kex = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519,
            H("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"), B(backend));
        Assert.True(kex.TryComputeSharedSecret(H("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"), out var secret, out _));
        Assert.Equal(H("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"), secret);
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Montgomery_RejectsLowOrderPoints(string backend)
    {
        string[] x25519 =
        [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p itself ≡ 0
        ];
        using var k25519 = KeyExchangeFactory.Create(KeyExchangeGroup.Curve25519, B(backend));
        foreach (var u in x25519)
        {
            Expect(k25519, H(u), KeyExchangeError.AllZeroSharedSecret);
        }

        using var k448 = KeyExchangeFactory.Create(KeyExchangeGroup.Curve448, B(backend));
        Expect(k448, new byte[56], KeyExchangeError.AllZeroSharedSecret);
        Expect(k448, [1, .. new byte[55]], KeyExchangeError.AllZeroSharedSecret);
        Expect(k448, k448.PublicKey[..^1], KeyExchangeError.WrongLength);
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Modp_RejectsOutOfRange_AcceptsEdges(string backend)
    {
        foreach (var group in new[] { KeyExchangeGroup.Modp1024, KeyExchangeGroup.Modp2048 })
        {
            using var kex = KeyExchangeFactory.Create(group, B(backend));
            var len = kex.PublicKeyLength;
            var p = new BigInteger(ModpGroups.Prime(group), isUnsigned: true, isBigEndian: true);
            Expect(kex, new byte[len], KeyExchangeError.OutOfRange);
            Expect(kex, Pad(BigInteger.One, len), KeyExchangeError.OutOfRange);
            Expect(kex, Pad(p - 1, len), KeyExchangeError.OutOfRange);
            Expect(kex, Pad(p, len), KeyExchangeError.OutOfRange);
            Expect(kex, Pad(p + 1, len), KeyExchangeError.OutOfRange);
            Expect(kex, Enumerable.Repeat((byte)0xFF, len).ToArray(), KeyExchangeError.OutOfRange);
            Expect(kex, new byte[len - 1], KeyExchangeError.WrongLength);
            Assert.True(kex.TryComputeSharedSecret(Pad(2, len), out _, out _));
            Assert.True(kex.TryComputeSharedSecret(Pad(p - 2, len), out var edge, out _));
            Assert.Equal(len, edge.Length);
        }
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Modp_FixedExponent_MatchesIndependentModPow(string backend)
    {
        foreach (var group in new[] { KeyExchangeGroup.Modp1536, KeyExchangeGroup.Modp3072, KeyExchangeGroup.Modp4096 })
        {
            var p = new BigInteger(ModpGroups.Prime(group), isUnsigned: true, isBigEndian: true);
            var x = BigInteger.Parse("00fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", System.Globalization.NumberStyles.HexNumber);
            using var kex = KeyExchangeFactory.CreateWithPrivateKey(group, x.ToByteArray(isUnsigned: true, isBigEndian: true), B(backend));
            Assert.Equal(Pad(BigInteger.ModPow(2, x, p), kex.PublicKeyLength), kex.PublicKey);
            // A peer value with leading zero bytes keeps its fixed-length encoding, and so does a small secret.
            var peer = Pad(new BigInteger(3), kex.PublicKeyLength);
            Assert.True(kex.TryComputeSharedSecret(peer, out var secret, out _));
            Assert.Equal(Pad(BigInteger.ModPow(3, x, p), kex.PublicKeyLength), secret);
        }
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Ecp_RejectsInvalidPoints(string backend)
    {
        foreach (var group in new[] { KeyExchangeGroup.Ecp256, KeyExchangeGroup.Ecp384, KeyExchangeGroup.Ecp521 })
        {
            using var kex = KeyExchangeFactory.Create(group, B(backend));
            using var other = KeyExchangeFactory.Create(group, B(backend));
            var good = other.PublicKey;
            var len = good.Length;
            var offCurve = (byte[])good.Clone();
            offCurve[^1] ^= 1;
            Expect(kex, offCurve, KeyExchangeError.InvalidPoint);
            Expect(kex, new byte[len], KeyExchangeError.InvalidPoint);
            Expect(kex, Enumerable.Repeat((byte)0xFF, len).ToArray(), KeyExchangeError.InvalidPoint);
            Expect(kex, good[..^1], KeyExchangeError.WrongLength);
            Expect(kex, [0x04, .. good], KeyExchangeError.WrongLength);
            // Our own public value is a valid peer value.
            Assert.True(kex.TryComputeSharedSecret(kex.PublicKey, out _, out _));
        }
    }

    [Fact]
    public void Modp_RangeCheck_OnRawBytes()
    {
        byte[] p = [0xC5]; // 197: odd "prime" of one byte
        Assert.False(ModpGroups.IsInRange([0x00], p));
        Assert.False(ModpGroups.IsInRange([0x01], p));
        Assert.True(ModpGroups.IsInRange([0x02], p));
        Assert.True(ModpGroups.IsInRange([0xC3], p));
        Assert.False(ModpGroups.IsInRange([0xC4], p));
        Assert.False(ModpGroups.IsInRange([0xC5], p));
        Assert.True(ModpGroups.IsInRange([0x00, 0x02], p)); // leading zeros do not count
        Assert.False(ModpGroups.IsInRange([0x01, 0x00], p));
        Assert.True(ModpGroups.IsBelowPrimeMinusOne([0x00, 0x00], [0x01, 0x01]));
        Assert.False(ModpGroups.IsBelowPrimeMinusOne([0x01, 0x00], [0x01, 0x01]));
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
}
