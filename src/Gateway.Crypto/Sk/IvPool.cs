namespace Gateway.Crypto.Sk;

/// <summary>
/// CSPRNG output for CBC IVs, drawn 1 KiB at a time from libcrypto: RAND_bytes costs ~1 µs per call in OpenSSL 3.0
/// whatever the length (as much as the whole AES-CBC encryption of a small packet). One pool per thread rather than
/// per cipher: a pool per SA direction was 1 KiB of every idle tunnel's memory (four per tunnel), and a thread uses
/// one cipher at a time anyway. Each IV is taken once and wiped from the pool; IVs are public once sent, they only
/// have to be unpredictable beforehand (RFC 3602 §2.2).
/// </summary>
internal static class IvPool
{
    private const int PoolSize = 1024;

    [ThreadStatic]
    private static byte[]? _pool;

    [ThreadStatic]
    private static int _used;

    /// <summary>Fills <paramref name="iv"/> (at most 1 KiB) with fresh random bytes.</summary>
    internal static void Fill(Span<byte> iv)
    {
        var pool = _pool;
        if (pool is null)
        {
            pool = _pool = new byte[PoolSize];
            _used = PoolSize;
        }

        if (_used + iv.Length > PoolSize)
        {
            OpenSslCipher.RandomBytes(pool);
            _used = 0;
        }

        var next = pool.AsSpan(_used, iv.Length);
        next.CopyTo(iv);
        next.Clear();
        _used += iv.Length;
    }

    internal static bool Fits(int length) => length <= PoolSize;
}
