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
/// <para>The key (until first use) and the states live in pinned arrays (never moved, so no stray copies of key-derived
/// state), wiped by <see cref="Dispose"/>. The P/Invokes have <c>SuppressGCTransition</c> (they neither block nor call back); inputs
/// longer than <see cref="ShortInput"/> bytes go through an import with the normal transition, so a GC never waits on
/// a long hash. Not thread-safe (one instance per SA direction).</para>
/// </summary>
internal sealed unsafe partial class OpenSslDigestHmac : IDisposable
{
    /// <summary>Bytes up to which one Update runs without a GC transition (a few hundred ns with SHA-NI).</summary>
    internal const int ShortInput = 2048;

    private readonly Digest _digest;
    private readonly int _stateSize;

    /// <summary>A pinned copy of the key until the states are made from it (then wiped and dropped).</summary>
    private byte[]? _key;

    private byte[]? _states;
    private byte* _inner;
    private byte* _outer;
    private byte* _work;
    private bool _disposed;

    /// <param name="digest">"SHA1", "SHA256", "SHA384" or "SHA512".</param>
    internal OpenSslDigestHmac(string digest, ReadOnlySpan<byte> key)
    {
        _digest = Digest.Get(digest) ?? throw new PlatformNotSupportedException($"libcrypto has no low-level {digest}");
        DigestSize = _digest.Size;
        // Three states of the digest's size, not of the largest: an ESP SA direction keeps one of these for life
        // (HMAC-SHA1: 288 bytes instead of 768, docs/loadtest-profile.md) — made on first use: an idle tunnel's SA
        // directions that never carry a packet keep only the key (44 bytes instead of 312 for HMAC-SHA1).
        _stateSize = _digest.StateSize;
        _key = GC.AllocateArray<byte>(key.Length, pinned: true);
        key.CopyTo(_key);
    }

    /// <summary>The pad states from the key, on first use (not thread-safe, like the rest of this class).</summary>
    private void EnsureStates()
    {
        if (_states is not null)
            return;
        var key = _key!;
        var array = GC.AllocateArray<byte>(3 * _stateSize, pinned: true);
        var states = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        _inner = states;
        _outer = states + _stateSize;
        _work = states + 2 * _stateSize;

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
        CryptographicOperations.ZeroMemory(key);
        _key = null;
        _states = array;
        Reset();
    }

    /// <summary>Length of the full (untruncated) MAC.</summary>
    internal int DigestSize { get; }

    internal void Update(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureStates();
        Update(_work, data);
    }

    /// <summary>Writes the full MAC of everything updated since the last reset, then starts the next message.</summary>
    internal void FinalAndReset(Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (mac.Length != DigestSize)
            throw new ArgumentException($"MAC output must be {DigestSize} bytes", nameof(mac));
        EnsureStates();
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
        CryptographicOperations.ZeroMemory(_key);
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

    private void Copy(byte* from, byte* to) => Buffer.MemoryCopy(from, to, _stateSize, _stateSize);

    private void Check(int result, string call)
    {
        if (result != 1)
            throw new OpenSslNative.OpenSslException($"{_digest.Name}_{call}");
    }

    /// <summary>
    /// One digest's low-level functions. P/Invokes rather than function pointers: the JIT puts a VZEROUPPER before a
    /// P/Invoke but not before an unmanaged function-pointer call, and libcrypto's SHA-NI code is legacy-SSE encoded,
    /// so after .NET's 256/512-bit vector code (span copies, clears) a function-pointer call paid the AVX-to-SSE
    /// transition on every instruction: HMAC-SHA1 of 92 bytes took 660 ns instead of 185 ns (measured, .NET 10).
    /// </summary>
    private sealed partial class Digest
    {
        private enum Kind { Sha1, Sha256, Sha384, Sha512 }

        private static readonly Lazy<bool> Exported = new(Probe);

        private readonly Kind _kind;

        private Digest(Kind kind, string name, int size, int blockSize, int stateSize)
        {
            _kind = kind;
            Name = name;
            Size = size;
            BlockSize = blockSize;
            StateSize = stateSize;
        }

        internal string Name { get; }
        internal int Size { get; }
        internal int BlockSize { get; }

        /// <summary>
        /// Bytes of one state: sizeof(SHA_CTX) = 96, sizeof(SHA256_CTX) = 112, sizeof(SHA512_CTX) = 216 on LP64
        /// (openssl/sha.h, public and stable structs), rounded up to 16.
        /// </summary>
        internal int StateSize { get; }

        /// <summary>True when libcrypto exports all four digests' low-level functions.</summary>
        internal static bool Available => Exported.Value;

        internal static Digest? Get(string name)
        {
            if (!Available)
                return null;
            return name switch
            {
                "SHA1" => Sha1,
                "SHA256" => Sha256,
                "SHA384" => Sha384,
                "SHA512" => Sha512,
                _ => null,
            };
        }

        // Shared (immutable): one per HMAC instance was 40 bytes of every SA direction.
        private static readonly Digest Sha1 = new(Kind.Sha1, "SHA1", 20, 64, 96);
        private static readonly Digest Sha256 = new(Kind.Sha256, "SHA256", 32, 64, 112);
        private static readonly Digest Sha384 = new(Kind.Sha384, "SHA384", 48, 128, 224);
        private static readonly Digest Sha512 = new(Kind.Sha512, "SHA512", 64, 128, 224);

        internal int Init(byte* state) => _kind switch
        {
            Kind.Sha1 => SHA1_Init(state),
            Kind.Sha256 => SHA256_Init(state),
            Kind.Sha384 => SHA384_Init(state),
            _ => SHA512_Init(state),
        };

        // A SHA-384 state is a SHA512_CTX: SHA512_Update serves both.
        internal int Update(byte* state, byte* data, nuint length) => _kind switch
        {
            Kind.Sha1 => SHA1_Update(state, data, length),
            Kind.Sha256 => SHA256_Update(state, data, length),
            _ => SHA512_Update(state, data, length),
        };

        internal int UpdateLong(byte* state, byte* data, nuint length) => _kind switch
        {
            Kind.Sha1 => SHA1_Update_long(state, data, length),
            Kind.Sha256 => SHA256_Update_long(state, data, length),
            _ => SHA512_Update_long(state, data, length),
        };

        internal int Final(byte* digest, byte* state) => _kind switch
        {
            Kind.Sha1 => SHA1_Final(digest, state),
            Kind.Sha256 => SHA256_Final(digest, state),
            Kind.Sha384 => SHA384_Final(digest, state),
            _ => SHA512_Final(digest, state),
        };

        private static bool Probe()
        {
            if (!NativeLibrary.TryLoad(OpenSslNative.Library, typeof(Digest).Assembly, null, out var library))
                return false;
            string[] names = ["SHA1_Init", "SHA1_Update", "SHA1_Final", "SHA256_Init", "SHA256_Update", "SHA256_Final",
                "SHA384_Init", "SHA384_Final", "SHA512_Init", "SHA512_Update", "SHA512_Final"];
            return names.All(n => NativeLibrary.TryGetExport(library, n, out _));
        }

        private const string Library = OpenSslNative.Library;

        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA1_Init(byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA1_Update(byte* state, byte* data, nuint length);
        [LibraryImport(Library, EntryPoint = "SHA1_Update")] private static partial int SHA1_Update_long(byte* state, byte* data, nuint length);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA1_Final(byte* digest, byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA256_Init(byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA256_Update(byte* state, byte* data, nuint length);
        [LibraryImport(Library, EntryPoint = "SHA256_Update")] private static partial int SHA256_Update_long(byte* state, byte* data, nuint length);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA256_Final(byte* digest, byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA384_Init(byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA384_Final(byte* digest, byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA512_Init(byte* state);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA512_Update(byte* state, byte* data, nuint length);
        [LibraryImport(Library, EntryPoint = "SHA512_Update")] private static partial int SHA512_Update_long(byte* state, byte* data, nuint length);
        [LibraryImport(Library), SuppressGCTransition] private static partial int SHA512_Final(byte* digest, byte* state);
    }

    /// <summary>True when libcrypto exports the low-level SHA-1/SHA-2 functions this class needs.</summary>
    internal static bool IsAvailable => Digest.Available;
}
