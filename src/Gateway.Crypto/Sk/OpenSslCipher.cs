using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Gateway.Crypto.KeyExchange;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Crypto.Sk;

/// <summary>
/// The libcrypto (OpenSSL 3) symmetric calls under SK and ESP: EVP_CIPHER_CTX for AES-GCM, ChaCha20-Poly1305,
/// 3DES-CBC and AES-CBC without AES-NI (with it: <see cref="AesNiCbc"/>). HMAC runs on <see cref="OpenSslDigestHmac"/>;
/// EVP_MAC and the deprecated HMAC_CTX below are kept for the benchmark that compares the ways of reusing a keyed
/// HMAC. The sibling of <see cref="OpenSslNative"/> (same library, same rules).
/// <para>Every context is created and keyed ONCE per SA direction; per message only the IV is set
/// (<c>EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc)</c>). That is the whole point: .NET's AesGcm/ChaCha20Poly1305 and the
/// one-shot CBC APIs set the key again on every call.</para>
/// <para>Native objects live in SafeHandles (freeing a cipher or MAC context cleanses its key schedule). A
/// per-message operation takes one reference on the handle (DangerousAddRef) for all its calls and passes the raw
/// pointer, so a disposed context throws <see cref="ObjectDisposedException"/> instead of touching freed memory.
/// Arguments are blittable (<c>in/ref byte</c> pinned by the LibraryImport generator, <c>IntPtr</c>, <c>nuint</c>);
/// the only pointers are in <see cref="CreateHmac"/>, where the OSSL_PARAM array and its strings are pinned.</para>
/// <para>Not thread-safe: a context may be used by one thread at a time (the callers' contract, one instance per SA
/// direction).</para>
/// </summary>
internal static partial class OpenSslCipher
{
    private const string Library = OpenSslNative.Library;
    private const int EvpCtrlAeadGetTag = 0x10;
    private const int EvpCtrlAeadSetTag = 0x11;
    private const uint OsslParamUtf8String = 4;

    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>True when libcrypto 3 loaded and provides every cipher and HMAC used here.</summary>
    internal static bool IsAvailable => Available.Value;

    private static bool Probe()
    {
        if (!OpenSslNative.IsAvailable)
            return false;
        try
        {
            foreach (var name in new[] { "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC", "DES-EDE3-CBC" })
            {
                var cipher = EVP_CIPHER_fetch(IntPtr.Zero, name, null);
                if (cipher == IntPtr.Zero)
                {
                    ERR_clear_error();
                    return false;
                }

                EVP_CIPHER_free(cipher);
            }

            using var mac = EVP_MAC_fetch(IntPtr.Zero, "HMAC", null);
            if (mac.IsInvalid)
            {
                ERR_clear_error();
                return false;
            }

            return OpenSslDigestHmac.IsAvailable;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // ---- handles -------------------------------------------------------------------------------------------------

    internal sealed class SafeCipherCtx : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeCipherCtx() : base(true) { }
        protected override bool ReleaseHandle() { EVP_CIPHER_CTX_free(handle); return true; }
    }

    internal sealed class SafeMacCtx : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeMacCtx() : base(true) { }
        protected override bool ReleaseHandle() { EVP_MAC_CTX_free(handle); return true; }
    }

    internal sealed class SafeHmacCtx : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeHmacCtx() : base(true) { }
        protected override bool ReleaseHandle() { HMAC_CTX_free(handle); return true; }
    }

    private sealed class SafeMac : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeMac() : base(true) { }
        protected override bool ReleaseHandle() { EVP_MAC_free(handle); return true; }
    }

    /// <summary>One reference on a SafeHandle for the length of a message operation.</summary>
    private readonly ref struct Lease
    {
        private readonly SafeHandle _handle;

        internal Lease(SafeHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
            Pointer = handle.DangerousGetHandle();
        }

        internal IntPtr Pointer { get; }

        public void Dispose() => _handle.DangerousRelease();
    }

    private static OpenSslNative.OpenSslException Fail(string call) => new(call);

    private static void Check(int result, string call)
    {
        if (result != 1)
            throw Fail(call);
    }

    // ---- cipher contexts -----------------------------------------------------------------------------------------

    /// <summary>
    /// A cipher context for one direction, keyed once. <paramref name="name"/> is the OpenSSL algorithm name
    /// ("AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "DES-EDE3-CBC"). Block ciphers get padding disabled
    /// (ESP and SK pad themselves).
    /// </summary>
    internal static SafeCipherCtx CreateCipher(string name, ReadOnlySpan<byte> key, bool encrypt)
    {
        var cipher = EVP_CIPHER_fetch(IntPtr.Zero, name, null);
        if (cipher == IntPtr.Zero)
            throw Fail($"EVP_CIPHER_fetch({name})");
        try
        {
            if (EVP_CIPHER_get_key_length(cipher) != key.Length)
                throw new ArgumentException($"{name} needs a {EVP_CIPHER_get_key_length(cipher)}-byte key", nameof(key));
            var ctx = EVP_CIPHER_CTX_new();
            if (ctx.IsInvalid)
            {
                ctx.Dispose();
                throw Fail(nameof(EVP_CIPHER_CTX_new));
            }

            try
            {
                // The context keeps its own reference to the fetched cipher.
                Check(EVP_CipherInit_ex(ctx, cipher, IntPtr.Zero, in MemoryMarshal.GetReference(key), IntPtr.Zero, encrypt ? 1 : 0), "EVP_CipherInit_ex(key)");
                if (EVP_CIPHER_get_block_size(cipher) > 1)
                    Check(EVP_CIPHER_CTX_set_padding(ctx, 0), nameof(EVP_CIPHER_CTX_set_padding));
                return ctx;
            }
            catch
            {
                ctx.Dispose();
                throw;
            }
        }
        finally
        {
            EVP_CIPHER_free(cipher);
        }
    }

    /// <summary>An encryption and a decryption context for the same key (see <see cref="CreateCipher"/>).</summary>
    internal static (SafeCipherCtx Encrypt, SafeCipherCtx Decrypt) CreateCipherPair(string name, ReadOnlySpan<byte> key)
    {
        var encrypt = CreateCipher(name, key, encrypt: true);
        try
        {
            return (encrypt, CreateCipher(name, key, encrypt: false));
        }
        catch
        {
            encrypt.Dispose();
            throw;
        }
    }

    /// <summary>
    /// CBC over whole blocks with the context's direction: sets <paramref name="iv"/>, then one update. Input and output
    /// may be the same buffer (not partially overlapping).
    /// </summary>
    internal static void Cbc(SafeCipherCtx ctx, bool encrypt, int blockSize, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        // libcrypto trusts the lengths it is given: check them here.
        if (iv.Length != blockSize || input.Length % blockSize != 0 || output.Length < input.Length)
            throw new ArgumentException("CBC: IV must be one block, input whole blocks, output at least as long as the input");
        if (input.IsEmpty)
            return;
        using var lease = new Lease(ctx);
        var p = lease.Pointer;
        Check(EVP_CipherInit_ex_iv(p, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, in MemoryMarshal.GetReference(iv), encrypt ? 1 : 0), "EVP_CipherInit_ex(iv)");
        // Padding is off and the input is whole blocks, so the update returns everything; no final needed (the next
        // message's init resets the context).
        if (!Update(p, output, input))
            throw Fail(nameof(EVP_CipherUpdate));
    }

    /// <summary>
    /// One AEAD encryption (nonce, AAD, plaintext → ciphertext, tag). Plaintext and ciphertext may be the same buffer.
    /// </summary>
    internal static void AeadEncrypt(SafeCipherCtx ctx, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext, Span<byte> tag)
    {
        CheckAeadLengths(nonce, tag, plaintext.Length, ciphertext.Length);
        using var lease = new Lease(ctx);
        var p = lease.Pointer;
        Check(EVP_CipherInit_ex_iv(p, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, in MemoryMarshal.GetReference(nonce), 1), "EVP_CipherInit_ex(iv)");
        if (!aad.IsEmpty && !UpdateAad(p, aad))
            throw Fail("EVP_CipherUpdate(aad)");
        if (!plaintext.IsEmpty && !Update(p, ciphertext, plaintext))
            throw Fail(nameof(EVP_CipherUpdate));
        Span<byte> none = stackalloc byte[16];
        ClearUpperVectorState();
        if (EVP_CipherFinal_ex(p, ref MemoryMarshal.GetReference(none), out var final) != 1 || final != 0)
            throw Fail(nameof(EVP_CipherFinal_ex));
        ClearUpperVectorState();
        Check(EVP_CIPHER_CTX_ctrl(p, EvpCtrlAeadGetTag, tag.Length, ref MemoryMarshal.GetReference(tag)), "EVP_CIPHER_CTX_ctrl(GET_TAG)");
    }

    /// <summary>
    /// One AEAD decryption; false when the tag does not verify (libcrypto compares it in constant time), and then
    /// <paramref name="plaintext"/> is cleared.
    /// </summary>
    internal static bool AeadDecrypt(SafeCipherCtx ctx, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        CheckAeadLengths(nonce, tag, ciphertext.Length, plaintext.Length);
        using var lease = new Lease(ctx);
        var p = lease.Pointer;
        Check(EVP_CipherInit_ex_iv(p, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, in MemoryMarshal.GetReference(nonce), 0), "EVP_CipherInit_ex(iv)");
        Check(EVP_CIPHER_CTX_ctrl_in(p, EvpCtrlAeadSetTag, tag.Length, in MemoryMarshal.GetReference(tag)), "EVP_CIPHER_CTX_ctrl(SET_TAG)");
        if (!aad.IsEmpty && !UpdateAad(p, aad))
            throw Fail("EVP_CipherUpdate(aad)");
        if (!ciphertext.IsEmpty && !Update(p, plaintext, ciphertext))
            throw Fail(nameof(EVP_CipherUpdate));
        Span<byte> none = stackalloc byte[16];
        ClearUpperVectorState();
        if (EVP_CipherFinal_ex(p, ref MemoryMarshal.GetReference(none), out var final) == 1 && final == 0)
            return true;
        ERR_clear_error();
        plaintext[..ciphertext.Length].Clear();
        return false;
    }

    private static Vector256<byte> _upperStateSink;

    /// <summary>
    /// Leaves the upper halves of the vector registers clean (VZEROUPPER) before the next libcrypto call. libcrypto's
    /// AVX-512 ChaCha20/Poly1305 returns with them dirty, and its legacy-SSE code (EVP_CipherFinal_ex,
    /// EVP_CIPHER_CTX_ctrl) then pays the AVX-to-SSE transition (perf: 89 % of EVP_CIPHER_CTX_ctrl on its first SSE
    /// load). The JIT does not put VZEROUPPER between inlined P/Invokes, but it ends every method that contains 256-bit
    /// AVX code with one: hence the store of a 256-bit zero, which is the point of this method, not a side effect.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ClearUpperVectorState()
    {
        if (Vector256.IsHardwareAccelerated)
            _upperStateSink = Vector256<byte>.Zero;
    }

    private static void CheckAeadLengths(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> tag, int inputLength, int outputLength)
    {
        // libcrypto trusts the lengths it is given: 12-byte nonce (the ciphers' default IV length), 16-byte tag.
        if (nonce.Length != 12 || tag.Length != 16 || outputLength < inputLength)
            throw new ArgumentException("AEAD: nonce must be 12 bytes, tag 16 bytes, output at least as long as the input");
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from libcrypto's CSPRNG (RAND_bytes: the per-thread public DRBG of OpenSSL 3,
    /// seeded from the OS), for CBC IVs. Several times cheaper per call than a getrandom system call.
    /// </summary>
    internal static void RandomBytes(Span<byte> destination)
    {
        if (!destination.IsEmpty)
            Check(RAND_bytes(ref MemoryMarshal.GetReference(destination), destination.Length), nameof(RAND_bytes));
    }

    // ---- HMAC as EVP_MAC (benchmark comparison only) ------------------------------------------------------------------------------------

    /// <summary>An HMAC context keyed once; <paramref name="digest"/> is "SHA1", "SHA256", "SHA384" or "SHA512".</summary>
    internal static unsafe SafeMacCtx CreateHmac(string digest, ReadOnlySpan<byte> key)
    {
        using var mac = EVP_MAC_fetch(IntPtr.Zero, "HMAC", null);
        if (mac.IsInvalid)
            throw Fail("EVP_MAC_fetch(HMAC)");
        var ctx = EVP_MAC_CTX_new(mac);
        if (ctx.IsInvalid)
        {
            ctx.Dispose();
            throw Fail(nameof(EVP_MAC_CTX_new));
        }

        try
        {
            // OSSL_PARAM[] { { "digest", UTF8_STRING, name, strlen(name) }, END }, pinned for the call.
            var name = new byte[digest.Length + 1];
            System.Text.Encoding.ASCII.GetBytes(digest, name);
            fixed (byte* k = "digest\0"u8)
            fixed (byte* d = name)
            fixed (byte* keyPointer = key)
            {
                var parameters = stackalloc OsslParam[2];
                parameters[0] = new OsslParam { Key = k, DataType = OsslParamUtf8String, Data = d, DataSize = (nuint)digest.Length, ReturnSize = nuint.MaxValue };
                parameters[1] = default;
                Check(EVP_MAC_init_params(ctx, keyPointer, (nuint)key.Length, parameters), "EVP_MAC_init(key)");
            }

            return ctx;
        }
        catch
        {
            ctx.Dispose();
            throw;
        }
    }

    internal static void MacUpdate(SafeMacCtx ctx, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        using var lease = new Lease(ctx);
        Check(EVP_MAC_update(lease.Pointer, in MemoryMarshal.GetReference(data), (nuint)data.Length), nameof(EVP_MAC_update));
    }

    /// <summary>Writes the full MAC of everything updated since the last reset, then re-initialises with the same key.</summary>
    internal static void MacFinalAndReset(SafeMacCtx ctx, Span<byte> mac)
    {
        if (mac.IsEmpty)
            throw new ArgumentException("MAC output buffer is empty", nameof(mac));
        using var lease = new Lease(ctx);
        var p = lease.Pointer;
        if (EVP_MAC_final(p, ref MemoryMarshal.GetReference(mac), out var written, (nuint)mac.Length) != 1 || written != (nuint)mac.Length)
            throw Fail(nameof(EVP_MAC_final));
        Check(EVP_MAC_init(p, IntPtr.Zero, 0, IntPtr.Zero), "EVP_MAC_init(reset)");
    }

    /// <summary>Benchmark of the alternatives only: a copy of a keyed context (EVP_MAC_CTX_dup), used once and freed.</summary>
    internal static void MacOnceByDup(SafeMacCtx keyed, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        using var lease = new Lease(keyed);
        var copy = EVP_MAC_CTX_dup(lease.Pointer);
        if (copy == IntPtr.Zero)
            throw Fail(nameof(EVP_MAC_CTX_dup));
        try
        {
            Check(EVP_MAC_update(copy, in MemoryMarshal.GetReference(data), (nuint)data.Length), nameof(EVP_MAC_update));
            if (EVP_MAC_final(copy, ref MemoryMarshal.GetReference(mac), out var written, (nuint)mac.Length) != 1 || written != (nuint)mac.Length)
                throw Fail(nameof(EVP_MAC_final));
        }
        finally
        {
            EVP_MAC_CTX_free(copy);
        }
    }

    // ---- HMAC_CTX (deprecated in 3.0; benchmark of the alternatives only) -------------------------------------------

    internal static SafeHmacCtx CreateLegacyHmac(string digest, ReadOnlySpan<byte> key)
    {
        var md = EVP_get_digestbyname(digest);
        if (md == IntPtr.Zero)
            throw Fail($"EVP_get_digestbyname({digest})");
        var ctx = HMAC_CTX_new();
        if (ctx.IsInvalid)
        {
            ctx.Dispose();
            throw Fail(nameof(HMAC_CTX_new));
        }

        if (HMAC_Init_ex(ctx, in MemoryMarshal.GetReference(key), key.Length, md, IntPtr.Zero) != 1)
        {
            ctx.Dispose();
            throw Fail(nameof(HMAC_Init_ex));
        }

        return ctx;
    }

    internal static void LegacyHmacOnce(SafeHmacCtx ctx, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        using var lease = new Lease(ctx);
        var p = lease.Pointer;
        Check(HMAC_Init_ex_reset(p, IntPtr.Zero, 0, IntPtr.Zero, IntPtr.Zero), "HMAC_Init_ex(reset)");
        Check(HMAC_Update(p, in MemoryMarshal.GetReference(data), (nuint)data.Length), nameof(HMAC_Update));
        if (HMAC_Final(p, ref MemoryMarshal.GetReference(mac), out var written) != 1 || written != (uint)mac.Length)
            throw Fail(nameof(HMAC_Final));
    }

    // ---- imports ---------------------------------------------------------------------------------------------------

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct OsslParam
    {
        public byte* Key;
        public uint DataType;
        public byte* Data;
        public nuint DataSize;
        public nuint ReturnSize;
    }

    [LibraryImport(Library)] private static partial void ERR_clear_error();
    [LibraryImport(Library)] private static partial int RAND_bytes(ref byte buffer, int length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr EVP_CIPHER_fetch(IntPtr libctx, string algorithm, string? properties);
    [LibraryImport(Library)] private static partial void EVP_CIPHER_free(IntPtr cipher);
    [LibraryImport(Library)] private static partial int EVP_CIPHER_get_key_length(IntPtr cipher);
    [LibraryImport(Library)] private static partial int EVP_CIPHER_get_block_size(IntPtr cipher);
    [LibraryImport(Library)] private static partial SafeCipherCtx EVP_CIPHER_CTX_new();
    [LibraryImport(Library)] private static partial void EVP_CIPHER_CTX_free(IntPtr ctx);
    [LibraryImport(Library)] private static partial int EVP_CIPHER_CTX_set_padding(SafeCipherCtx ctx, int pad);
    [LibraryImport(Library)]
    private static partial int EVP_CipherInit_ex(SafeCipherCtx ctx, IntPtr cipher, IntPtr engine, in byte key, IntPtr iv, int enc);
    // Per-message calls: [SuppressGCTransition] (they neither block nor call back into .NET); data longer than
    // ShortInput goes through EVP_CipherUpdate_long, with the normal transition, so a GC never waits on a long update.
    [LibraryImport(Library, EntryPoint = "EVP_CipherInit_ex"), SuppressGCTransition]
    private static partial int EVP_CipherInit_ex_iv(IntPtr ctx, IntPtr cipher, IntPtr engine, IntPtr key, in byte iv, int enc);
    [LibraryImport(Library), SuppressGCTransition]
    private static partial int EVP_CipherUpdate(IntPtr ctx, ref byte output, out int outputLength, in byte input, int inputLength);
    [LibraryImport(Library, EntryPoint = "EVP_CipherUpdate")]
    private static partial int EVP_CipherUpdate_long(IntPtr ctx, ref byte output, out int outputLength, in byte input, int inputLength);
    [LibraryImport(Library, EntryPoint = "EVP_CipherUpdate"), SuppressGCTransition]
    private static partial int EVP_CipherUpdate_aad(IntPtr ctx, IntPtr output, out int outputLength, in byte input, int inputLength);
    [LibraryImport(Library, EntryPoint = "EVP_CipherUpdate")]
    private static partial int EVP_CipherUpdate_aad_long(IntPtr ctx, IntPtr output, out int outputLength, in byte input, int inputLength);
    [LibraryImport(Library), SuppressGCTransition] private static partial int EVP_CipherFinal_ex(IntPtr ctx, ref byte output, out int outputLength);
    [LibraryImport(Library), SuppressGCTransition] private static partial int EVP_CIPHER_CTX_ctrl(IntPtr ctx, int type, int arg, ref byte ptr);
    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_ctrl"), SuppressGCTransition]
    private static partial int EVP_CIPHER_CTX_ctrl_in(IntPtr ctx, int type, int arg, in byte ptr);

    /// <summary>Bytes up to which one update runs without a GC transition (well under a microsecond).</summary>
    private const int ShortInput = OpenSslDigestHmac.ShortInput;

    private static bool Update(IntPtr ctx, Span<byte> output, ReadOnlySpan<byte> input)
    {
        ref var o = ref MemoryMarshal.GetReference(output);
        ref readonly var i = ref MemoryMarshal.GetReference(input);
        var written = 0;
        var ok = input.Length <= ShortInput
            ? EVP_CipherUpdate(ctx, ref o, out written, in i, input.Length)
            : EVP_CipherUpdate_long(ctx, ref o, out written, in i, input.Length);
        return ok == 1 && written == input.Length;
    }

    private static bool UpdateAad(IntPtr ctx, ReadOnlySpan<byte> aad) =>
        (aad.Length <= ShortInput
            ? EVP_CipherUpdate_aad(ctx, IntPtr.Zero, out _, in MemoryMarshal.GetReference(aad), aad.Length)
            : EVP_CipherUpdate_aad_long(ctx, IntPtr.Zero, out _, in MemoryMarshal.GetReference(aad), aad.Length)) == 1;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial SafeMac EVP_MAC_fetch(IntPtr libctx, string algorithm, string? properties);
    [LibraryImport(Library)] private static partial void EVP_MAC_free(IntPtr mac);
    [LibraryImport(Library)] private static partial SafeMacCtx EVP_MAC_CTX_new(SafeMac mac);
    [LibraryImport(Library)] private static partial void EVP_MAC_CTX_free(IntPtr ctx);
    [LibraryImport(Library)] private static partial IntPtr EVP_MAC_CTX_dup(IntPtr ctx);
    [LibraryImport(Library, EntryPoint = "EVP_MAC_init")]
    private static unsafe partial int EVP_MAC_init_params(SafeMacCtx ctx, byte* key, nuint keyLength, OsslParam* parameters);
    [LibraryImport(Library)] private static partial int EVP_MAC_init(IntPtr ctx, IntPtr key, nuint keyLength, IntPtr parameters);
    [LibraryImport(Library)] private static partial int EVP_MAC_update(IntPtr ctx, in byte data, nuint length);
    [LibraryImport(Library)] private static partial int EVP_MAC_final(IntPtr ctx, ref byte output, out nuint outputLength, nuint outputSize);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr EVP_get_digestbyname(string name);
    [LibraryImport(Library)] private static partial SafeHmacCtx HMAC_CTX_new();
    [LibraryImport(Library)] private static partial void HMAC_CTX_free(IntPtr ctx);
    [LibraryImport(Library)] private static partial int HMAC_Init_ex(SafeHmacCtx ctx, in byte key, int length, IntPtr md, IntPtr engine);
    [LibraryImport(Library, EntryPoint = "HMAC_Init_ex")]
    private static partial int HMAC_Init_ex_reset(IntPtr ctx, IntPtr key, int length, IntPtr md, IntPtr engine);
    [LibraryImport(Library)] private static partial int HMAC_Update(IntPtr ctx, in byte data, nuint length);
    [LibraryImport(Library)] private static partial int HMAC_Final(IntPtr ctx, ref byte output, out uint outputLength);
}
