using Gateway.Crypto.KeyExchange;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Hex;

namespace Gateway.Crypto.Tests.KeyExchange;

public class KeyExchangeVectorTests
{
    public static TheoryData<KeyExchangeGroup, string, string, string, string, string, string, string> Rfc5903 => new()
    {
        // RFC 5903 §8.1
        {
            KeyExchangeGroup.Ecp256,
            "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
            "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
            "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
            "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
            "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
            "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
            "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE"
        },
        // RFC 5903 §8.2
        {
            KeyExchangeGroup.Ecp384,
            "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655 E35B5380 41E649EE 3FAEF896 783AB194",
            "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6 DE3AC808 ACB4BDB4 C88732AE E95F41AA",
            "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E EB9FCFF3 C2C947DA E69B4C63 4573A81C",
            "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942 E0308312 916B8ED2 960E4BD5 5A7448FC",
            "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D 0D1AC43A 0336DEF9 6FDA41D0 774A3571",
            "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF F83FA401 42209DFF 5EAAD96D B9E6386C",
            "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4 D6031355 69B9E9D0 9CF5D4A2 70F59746"
        },
        // RFC 5903 §8.3
        {
            KeyExchangeGroup.Ecp521,
            "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0 95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D 4A52",
            "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C ED3E",
            "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F 9582",
            "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E 9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168 5EB9",
            "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21 9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9 460F",
            "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87 220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F C56A",
            "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04 D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3 DDEA"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc5903))]
    public void Ecp_Rfc5903_Section8(KeyExchangeGroup group, string i, string gix, string giy, string r, string grx, string gry, string girx)
    {
        using var initiator = KeyExchangeFactory.CreateWithPrivateKey(group, H(i));
        using var responder = KeyExchangeFactory.CreateWithPrivateKey(group, H(r));
        Assert.Equal(H(gix + giy), initiator.PublicKey);
        Assert.Equal(H(grx + gry), responder.PublicKey);
        Assert.Equal(KeyExchangeFactory.PublicKeyLength(group), initiator.PublicKeyLength);

        Assert.True(initiator.TryComputeSharedSecret(H(grx + gry), out var s1, out var e1));
        Assert.Equal(KeyExchangeError.None, e1);
        Assert.Equal(H(girx), s1);
        Assert.True(responder.TryComputeSharedSecret(H(gix + giy), out var s2, out _));
        Assert.Equal(H(girx), s2);
    }

    [Theory]
    // RFC 7748 §5.2, X25519
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void X25519_Rfc7748_Section5_2(string scalar, string u, string output)
    {
        using var kex = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519, H(scalar));
        Assert.True(kex.TryComputeSharedSecret(H(u), out var secret, out _));
        Assert.Equal(H(output), secret);
    }

    [Theory]
    // RFC 7748 §5.2, X448
    [InlineData("3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
        "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
        "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f")]
    [InlineData("203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
        "0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
        "884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d")]
    public void X448_Rfc7748_Section5_2(string scalar, string u, string output)
    {
        using var kex = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve448, H(scalar));
        Assert.True(kex.TryComputeSharedSecret(H(u), out var secret, out _));
        Assert.Equal(H(output), secret);
    }

    [Fact]
    public void X25519_Rfc7748_Section5_2_Iterated1000()
    {
        // k = u = 9; each round k, u = X25519(k, u), k.
        var k = H("0900000000000000000000000000000000000000000000000000000000000000");
        var u = (byte[])k.Clone();
        for (var round = 1; round <= 1000; round++)
        {
            using var kex = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519, k);
            Assert.True(kex.TryComputeSharedSecret(u, out var result, out _));
            u = k;
            k = result;
            if (round == 1)
            {
                Assert.Equal(H("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }

        Assert.Equal(H("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    [Fact]
    public void X25519_Rfc7748_Section6_1()
    {
        using var alice = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        using var bob = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve25519, H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        Assert.Equal(H("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alice.PublicKey);
        Assert.Equal(H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bob.PublicKey);
        var k = H("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        Assert.True(alice.TryComputeSharedSecret(bob.PublicKey, out var s1, out _));
        Assert.True(bob.TryComputeSharedSecret(alice.PublicKey, out var s2, out _));
        Assert.Equal(k, s1);
        Assert.Equal(k, s2);
    }

    [Fact]
    public void X448_Rfc7748_Section6_2()
    {
        using var alice = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve448, H("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b"));
        using var bob = KeyExchangeFactory.CreateWithPrivateKey(KeyExchangeGroup.Curve448, H("1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d"));
        Assert.Equal(H("9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0"), alice.PublicKey);
        Assert.Equal(H("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609"), bob.PublicKey);
        var k = H("07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d");
        Assert.True(alice.TryComputeSharedSecret(bob.PublicKey, out var s1, out _));
        Assert.True(bob.TryComputeSharedSecret(alice.PublicKey, out var s2, out _));
        Assert.Equal(k, s1);
        Assert.Equal(k, s2);
    }
}
