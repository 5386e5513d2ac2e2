using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Prf;

/// <summary>
/// An IKEv2 pseudorandom function (HMAC-SHA1, HMAC-SHA2-256/384/512; RFC 7296 §3.3.2, RFC 4868).
/// Stateless and thread-safe: every call is a one-shot HMAC (.NET, OpenSSL-backed).
/// </summary>
public sealed class Prf
{
    private readonly HashAlgorithmName _hash;

    private Prf(PseudorandomFunction id, HashAlgorithmName hash, int outputSize)
    {
        Id = id;
        _hash = hash;
        OutputSize = outputSize;
    }

    public static Prf HmacSha1 { get; } = new(PseudorandomFunction.HmacSha1, HashAlgorithmName.SHA1, 20);
    public static Prf HmacSha256 { get; } = new(PseudorandomFunction.HmacSha2_256, HashAlgorithmName.SHA256, 32);
    public static Prf HmacSha384 { get; } = new(PseudorandomFunction.HmacSha2_384, HashAlgorithmName.SHA384, 48);
    public static Prf HmacSha512 { get; } = new(PseudorandomFunction.HmacSha2_512, HashAlgorithmName.SHA512, 64);

    /// <summary>The IANA transform type 2 identifier.</summary>
    public PseudorandomFunction Id { get; }

    /// <summary>Output length in bytes.</summary>
    public int OutputSize { get; }

    /// <summary>Preferred key length (RFC 7296 §2.14: for HMAC PRFs, the output length); the length of SK_d, SK_pi, SK_pr.</summary>
    public int KeySize => OutputSize;

    /// <summary>The HMAC's hash function.</summary>
    internal HashAlgorithmName HashAlgorithm => _hash;

    /// <summary>True when the PRF is implemented.</summary>
    public static bool IsSupported(PseudorandomFunction id) => id is PseudorandomFunction.HmacSha1
        or PseudorandomFunction.HmacSha2_256 or PseudorandomFunction.HmacSha2_384 or PseudorandomFunction.HmacSha2_512;

    /// <summary>The PRF for an IANA identifier.</summary>
    /// <exception cref="NotSupportedException">The PRF is not implemented.</exception>
    public static Prf Get(PseudorandomFunction id) => id switch
    {
        PseudorandomFunction.HmacSha1 => HmacSha1,
        PseudorandomFunction.HmacSha2_256 => HmacSha256,
        PseudorandomFunction.HmacSha2_384 => HmacSha384,
        PseudorandomFunction.HmacSha2_512 => HmacSha512,
        _ => throw new NotSupportedException($"PRF {id} is not supported"),
    };

    /// <summary>prf(key, data) into <paramref name="destination"/> (at least <see cref="OutputSize"/> bytes); returns OutputSize.</summary>
    public int Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < OutputSize)
        {
            throw new ArgumentException("destination too small", nameof(destination));
        }

        return Id switch
        {
            PseudorandomFunction.HmacSha1 => HMACSHA1.HashData(key, data, destination),
            PseudorandomFunction.HmacSha2_256 => HMACSHA256.HashData(key, data, destination),
            PseudorandomFunction.HmacSha2_384 => HMACSHA384.HashData(key, data, destination),
            _ => HMACSHA512.HashData(key, data, destination),
        };
    }

    /// <summary>prf(key, data) as a new array.</summary>
    public byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var result = new byte[OutputSize];
        Compute(key, data, result);
        return result;
    }

    /// <summary>
    /// prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); output T1 | T2 | … truncated to
    /// <paramref name="destination"/>'s length (at most 255 × OutputSize).
    /// </summary>
    public void PrfPlus(ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, Span<byte> destination)
    {
        if (destination.Length > 255 * OutputSize)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "prf+ yields at most 255 blocks");
        }

        using var hmac = IncrementalHash.CreateHMAC(_hash, key);
        Span<byte> block = stackalloc byte[64];
        block = block[..OutputSize];
        Span<byte> counter = stackalloc byte[1];
        var written = 0;
        for (var n = 1; written < destination.Length; n++)
        {
            if (n > 1)
            {
                hmac.AppendData(block);
            }

            hmac.AppendData(seed);
            counter[0] = (byte)n;
            hmac.AppendData(counter);
            hmac.GetHashAndReset(block);
            var take = Math.Min(OutputSize, destination.Length - written);
            block[..take].CopyTo(destination[written..]);
            written += take;
        }

        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>prf+ as a new array of <paramref name="length"/> bytes.</summary>
    public byte[] PrfPlus(ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, int length)
    {
        var result = new byte[length];
        PrfPlus(key, seed, result);
        return result;
    }

    public override string ToString() => $"PRF {Id}";
}
