using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Gateway.Crypto.KeyExchange;

namespace Gateway.Crypto.Sk;

/// <summary>
/// HMAC (RFC 2104) over libcrypto's low-level digest functions (SHA1_/SHA256_/SHA384_/SHA512_ Init, Update, Final:
/// deprecated in OpenSSL 3 but exported, and the same assembly — SHA-NI, AVX2 — the EVP digests run). The key is
/// absorbed once: the digest states after K⊕ipad and K⊕opad are kept, and each message starts from a plain memory
/// copy of them. Why not EVP_MAC: in OpenSSL 3.0 EVP_MAC_final and the re-init with a NULL key each duplicate a
/// provider digest context (EVP_MD_CTX_copy_ex: malloc, copy, free) and walk OSSL_PARAM lists, which made HMAC most
/// of the cost of a small CBC packet.
/// <para>The states live in one pinned array (never moved, so no stray copies of key-derived state) and are wiped by
/// <see cref="Dispose"/>. Calls are function pointers with <c>SuppressGCTransition</c>: they neither block nor call
/// back, and inputs longer than <see cref="ShortInput"/> bytes go through a pointer with the normal transition, so a
/// GC never waits on a long hash. Not thread-safe (one instance per SA direction).</para>
/// </summary>
internal sealed unsafe class OpenSslDigestHmac : IDisposable
{
    /// <summary>Bytes up to which one Update runs without a GC transition (a few hundred ns with SHA-NI).</summary>
    internal const int ShortInput = 2048;

    // sizeof(SHA_CTX) = 96, sizeof(SHA256_CTX) = 112, sizeof(SHA512_CTX) = 216 on LP64 (openssl/sha.h); one slot fits any.
    private const int StateSize = 256;

    private readonly Digest _digest;
    private readonly byte[] _states = GC.AllocateArray<byte>(3 * StateSize, pinned: true);
    private readonly byte* _inner;
    private readonly byte* _outer;
    private readonly byte* _work;
    private bool _disposed;

    /// <param name="digest">"SHA1", "SHA256", "SHA384" or "SHA512".</param>
    internal OpenSslDigestHmac(string digest, ReadOnlySpan<byte> key)
    {
        _digest = Digest.Get(digest) ?? throw new PlatformNotSupportedException($"libcrypto has no low-level {digest}");
        DigestSize = _digest.Size;
        var states = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_states));
        _inner = states;
        _outer = states + StateSize;
        _work = states + 2 * StateSize;

        // RFC 2104 §2: a key longer than the block is hashed first; then zero-padded to the block.
        var block = stackalloc byte[_digest.BlockSize];
        var pad = new Span<byte>(block, _digest.BlockSize);
        pad.Clear();
        if (key.Length > _digest.BlockSize)
        {
            Hash(_work, key, pad);
        }
        else
        {
            key.CopyTo(pad);
        }

        Absorb(_inner, pad, 0x36);
        Absorb(_outer, pad, 0x36 ^ 0x5c);
        CryptographicOperations.ZeroMemory(pad);
        Reset();
    }

    /// <summary>Length of the full (untruncated) MAC.</summary>
    internal int DigestSize { get; }

    internal void Update(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Update(_work, data);
    }

    /// <summary>Writes the full MAC of everything updated since the last reset, then starts the next message.</summary>
    internal void FinalAndReset(Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (mac.Length != DigestSize)
            throw new ArgumentException($"MAC output must be {DigestSize} bytes", nameof(mac));
        var innerHash = stackalloc byte[DigestSize];
        Check(_digest.Final(innerHash, _work), "Final");
        Copy(_outer, _work);
        Update(_work, new ReadOnlySpan<byte>(innerHash, DigestSize));
        fixed (byte* m = mac)
            Check(_digest.Final(m, _work), "Final");
        CryptographicOperations.ZeroMemory(new Span<byte>(innerHash, DigestSize));
        Reset();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_states);
    }

    private void Reset() => Copy(_inner, _work);

    private void Absorb(byte* state, Span<byte> pad, byte xor)
    {
        for (var i = 0; i < pad.Length; i++)
            pad[i] ^= xor;
        Check(_digest.Init(state), "Init");
        Update(state, pad);
    }

    private void Hash(byte* state, ReadOnlySpan<byte> data, Span<byte> output)
    {
        Check(_digest.Init(state), "Init");
        Update(state, data);
        fixed (byte* o = output)
            Check(_digest.Final(o, state), "Final");
    }

    private void Update(byte* state, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        fixed (byte* d = data)
        {
            var result = data.Length <= ShortInput
                ? _digest.Update(state, d, (nuint)data.Length)
                : _digest.UpdateLong(state, d, (nuint)data.Length);
            Check(result, "Update");
        }
    }

    private static void Copy(byte* from, byte* to) => Buffer.MemoryCopy(from, to, StateSize, StateSize);

    private void Check(int result, string call)
    {
        if (result != 1)
            throw new OpenSslNative.OpenSslException($"{_digest.Name}_{call}");
    }

    /// <summary>The exported functions of one digest, resolved once.</summary>
    private sealed class Digest
    {
        private static readonly Lazy<Dictionary<string, Digest>?> All = new(Resolve);

        internal required string Name { get; init; }
        internal required int Size { get; init; }
        internal required int BlockSize { get; init; }
        internal required delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> Init { get; init; }
        internal required delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> Update { get; init; }
        internal required delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int> UpdateLong { get; init; }
        internal required delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> Final { get; init; }

        /// <summary>True when libcrypto exports all four digests' low-level functions.</summary>
        internal static bool Available => All.Value is not null;

        internal static Digest? Get(string name) => All.Value?.GetValueOrDefault(name);

        private static Dictionary<string, Digest>? Resolve()
        {
            if (!NativeLibrary.TryLoad(OpenSslNative.Library, typeof(Digest).Assembly, null, out var library))
                return null;
            var digests = new Dictionary<string, Digest>();
            // SHA384 shares SHA512's update (a SHA384 state is a SHA512_CTX).
            foreach (var (name, size, block, update) in new[] { ("SHA1", 20, 64, "SHA1"), ("SHA256", 32, 64, "SHA256"), ("SHA384", 48, 128, "SHA512"), ("SHA512", 64, 128, "SHA512") })
            {
                if (!NativeLibrary.TryGetExport(library, $"{name}_Init", out var init)
                    || !NativeLibrary.TryGetExport(library, $"{update}_Update", out var upd)
                    || !NativeLibrary.TryGetExport(library, $"{name}_Final", out var final))
                    return null;
                digests[name] = new Digest
                {
                    Name = name,
                    Size = size,
                    BlockSize = block,
                    Init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init,
                    Update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)upd,
                    UpdateLong = (delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int>)upd,
                    Final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final,
                };
            }

            return digests;
        }
    }

    /// <summary>True when libcrypto exports the low-level SHA-1/SHA-2 functions this class needs.</summary>
    internal static bool IsAvailable => Digest.Available;
}
