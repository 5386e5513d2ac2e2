using System.Security.Cryptography;
using System.Text;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;
using static Gateway.Crypto.Tests.Hex;

namespace Gateway.Crypto.Tests.Prf;

using Prf = Gateway.Crypto.Prf.Prf;

public class PrfTests
{
    private static readonly byte[] HiThere = Encoding.ASCII.GetBytes("Hi There");
    private static readonly byte[] WhatDoYaWant = Encoding.ASCII.GetBytes("what do ya want for nothing?");

    [Theory]
    // RFC 2202 §3, test cases 1–3.
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "b617318655057264e28bc0b6fb378c8ef146be00")]
    [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
        "125d7342b9ac11cd91a39af48aa17b4f63f175d3")]
    public void HmacSha1_Rfc2202(string key, string data, string expected)
    {
        var prf = Prf.Get(PseudorandomFunction.HmacSha1);
        Assert.Equal(20, prf.OutputSize);
        Assert.Equal(H(expected), prf.Compute(H(key), H(data)));
    }

    [Fact]
    public void HmacSha2_Rfc4868_PrfVectors()
    {
        // RFC 4868 §2.7.1, PRF-1 (key 0x0b × 20, "Hi There") and PRF-2 (key "Jefe").
        var key1 = Enumerable.Repeat((byte)0x0b, 20).ToArray();
        Assert.Equal(H("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"), Prf.HmacSha256.Compute(key1, HiThere));
        Assert.Equal(H("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"), Prf.HmacSha384.Compute(key1, HiThere));
        Assert.Equal(H("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"), Prf.HmacSha512.Compute(key1, HiThere));

        var jefe = Encoding.ASCII.GetBytes("Jefe");
        Assert.Equal(H("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), Prf.HmacSha256.Compute(jefe, WhatDoYaWant));
        Assert.Equal(H("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"), Prf.HmacSha384.Compute(jefe, WhatDoYaWant));
        Assert.Equal(H("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"), Prf.HmacSha512.Compute(jefe, WhatDoYaWant));
    }

    [Fact]
    public void HmacSha2_Rfc4868_AuthenticatorVectors()
    {
        // RFC 4868 §2.7.2: keys of the full integrity key length; ICV = left half of the HMAC.
        Check(IntegrityAlgorithm.HmacSha2_256_128, Repeat(0x0b, 32), HiThere,
            "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7", "198a607eb44bfbc69903a0f1cf2bbdc5");
        Check(IntegrityAlgorithm.HmacSha2_256_128, Encoding.ASCII.GetBytes("JefeJefeJefeJefeJefeJefeJefeJefe"), WhatDoYaWant,
            "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6", "167f928588c5cc2eef8e3093caa0e87c");
        Check(IntegrityAlgorithm.HmacSha2_256_128, Repeat(0xaa, 32), Repeat(0xdd, 50),
            "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0", "cdcb1220d1ecccea91e53aba3092f962");
        Check(IntegrityAlgorithm.HmacSha2_384_192, Repeat(0x0b, 48), HiThere,
            null, "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973");
        Check(IntegrityAlgorithm.HmacSha2_512_256, Repeat(0x0b, 64), HiThere,
            "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8ac2878ebd5803f6f0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b",
            "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8");
        Check(IntegrityAlgorithm.HmacSha2_512_256, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Jefe", 16))), WhatDoYaWant,
            "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b154546aa334ae9fb9afc2184932d8695e397bfa0ffb93466cfcceaae38c833b7dba38",
            "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454");
        Check(IntegrityAlgorithm.HmacSha2_512_256, Repeat(0xaa, 64), Repeat(0xdd, 50),
            "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8623c7b55cebefccf02d5581acc1c9d5fb1ff68a1de45509fbe4da9a433922655",
            "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8");

        static void Check(IntegrityAlgorithm alg, byte[] key, byte[] data, string? fullPrf, string icv)
        {
            if (fullPrf is not null)
            {
                var prf = alg switch
                {
                    IntegrityAlgorithm.HmacSha2_256_128 => Prf.HmacSha256,
                    IntegrityAlgorithm.HmacSha2_384_192 => Prf.HmacSha384,
                    _ => Prf.HmacSha512,
                };
                Assert.Equal(H(fullPrf), prf.Compute(key, data));
            }

            // Both implementations: libcrypto's EVP_MAC (when it loads) and .NET's IncrementalHash.
            foreach (var backend in OpenSslCipher.IsAvailable ? new[] { CipherBackend.OpenSsl, CipherBackend.Managed } : [CipherBackend.Managed])
            {
                using var mac = new TruncatedHmac(alg, key, backend);
                Assert.Equal(backend == CipherBackend.OpenSsl, mac.IsOpenSsl);
                // Split the data to check that appends concatenate.
                mac.Append(data.AsSpan(0, 3));
                mac.Append(data.AsSpan(3));
                var output = new byte[mac.IcvSize];
                mac.Finish(output);
                Assert.Equal(H(icv), output);
                mac.Append(data);
                Assert.True(mac.FinishAndVerify(H(icv)));
                output[^1] ^= 1;
                mac.Append(data);
                Assert.False(mac.FinishAndVerify(output));
            }
        }
    }

    [Fact]
    public void HmacSha1_96_TruncatesRfc2202Case1()
    {
        foreach (var backend in OpenSslCipher.IsAvailable ? new[] { CipherBackend.OpenSsl, CipherBackend.Managed } : [CipherBackend.Managed])
        {
            using var mac = new TruncatedHmac(IntegrityAlgorithm.HmacSha1_96, Repeat(0x0b, 20), backend);
            mac.Append(HiThere);
            var icv = new byte[12];
            mac.Finish(icv);
            Assert.Equal(H("b617318655057264e28bc0b6"), icv);
        }
    }

    public static TheoryData<PseudorandomFunction, int> PrfPlusCases()
    {
        var data = new TheoryData<PseudorandomFunction, int>();
        foreach (var id in new[] { PseudorandomFunction.HmacSha1, PseudorandomFunction.HmacSha2_256, PseudorandomFunction.HmacSha2_384, PseudorandomFunction.HmacSha2_512 })
        {
            foreach (var length in new[] { 0, 1, 19, 20, 21, 32, 33, 64, 65, 200, 1000 })
            {
                data.Add(id, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PrfPlusCases))]
    public void PrfPlus_MatchesIndependentLoop(PseudorandomFunction id, int length)
    {
        var prf = Prf.Get(id);
        var key = RandomNumberGenerator.GetBytes(prf.KeySize);
        var seed = RandomNumberGenerator.GetBytes(77);
        Assert.Equal(ReferencePrfPlus(id, key, seed, length), prf.PrfPlus(key, seed, length));
    }

    [Fact]
    public void PrfPlus_RefusesMoreThan255Blocks()
    {
        var prf = Prf.HmacSha1;
        Assert.Equal(255 * 20, prf.PrfPlus(new byte[20], new byte[4], 255 * 20).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => prf.PrfPlus(new byte[20], new byte[4], 255 * 20 + 1));
    }

    [Fact]
    public void Prf_Catalogue()
    {
        Assert.Equal((20, 20), (Prf.HmacSha1.OutputSize, Prf.HmacSha1.KeySize));
        Assert.Equal((32, 32), (Prf.HmacSha256.OutputSize, Prf.HmacSha256.KeySize));
        Assert.Equal((48, 48), (Prf.HmacSha384.OutputSize, Prf.HmacSha384.KeySize));
        Assert.Equal((64, 64), (Prf.HmacSha512.OutputSize, Prf.HmacSha512.KeySize));
        Assert.False(Prf.IsSupported(PseudorandomFunction.HmacMd5));
        Assert.Throws<NotSupportedException>(() => Prf.Get(PseudorandomFunction.Aes128Xcbc));
    }

    /// <summary>prf+ written out as in RFC 7296 §2.13, with one-shot HMACs over explicit concatenations.</summary>
    internal static byte[] ReferencePrfPlus(PseudorandomFunction id, byte[] key, byte[] seed, int length)
    {
        var output = new List<byte>();
        var t = Array.Empty<byte>();
        for (var n = 1; output.Count < length; n++)
        {
            t = ReferenceHmac(id, key, [.. t, .. seed, (byte)n]);
            output.AddRange(t);
        }

        return output.Take(length).ToArray();
    }

    internal static byte[] ReferenceHmac(PseudorandomFunction id, byte[] key, byte[] data) => id switch
    {
        PseudorandomFunction.HmacSha1 => HMACSHA1.HashData(key, data),
        PseudorandomFunction.HmacSha2_256 => HMACSHA256.HashData(key, data),
        PseudorandomFunction.HmacSha2_384 => HMACSHA384.HashData(key, data),
        PseudorandomFunction.HmacSha2_512 => HMACSHA512.HashData(key, data),
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static byte[] Repeat(byte b, int n) => Enumerable.Repeat(b, n).ToArray();
}
