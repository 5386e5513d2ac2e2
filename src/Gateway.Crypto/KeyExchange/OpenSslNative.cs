using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Crypto.KeyExchange;

/// <summary>
/// The few libcrypto (OpenSSL 3) functions the key exchange groups use: constant-time modular exponentiation for
/// MODP, EVP_PKEY key generation and derivation for ECP and X25519/X448. .NET on Linux already loads this library
/// for System.Security.Cryptography. Every native object lives in a SafeHandle and is freed when its `using` ends;
/// no pointer arithmetic, only blittable arguments (the unsafe code is the LibraryImport generator's, not ours).
/// A failing call becomes <see cref="OpenSslException"/>; callers map it to a <see cref="KeyExchangeError"/>.
/// </summary>
internal static partial class OpenSslNative
{
    internal const string Library = "libcrypto.so.3";

    internal const int NidX25519 = 1034;
    internal const int NidX448 = 1035;

    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>True when libcrypto 3.x is loadable and has the functions used here.</summary>
    internal static bool IsAvailable => Available.Value;

    /// <summary>OpenSSL_version(OPENSSL_VERSION) of the loaded libcrypto, or null.</summary>
    internal static string? VersionText => IsAvailable ? Marshal.PtrToStringUTF8(OpenSSL_version(0)) : null;

    private static bool Probe()
    {
        try
        {
            // OpenSSL 3.0.0 or later: the EVP functions below (EVP_PKEY_CTX_set_group_name …) are 3.0 API.
            if (OpenSSL_version_num() < 0x3000_0000)
                return false;
            using var ctx = BnCtx();
            return !ctx.IsInvalid;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    // ---- handles -------------------------------------------------------------------------------------------------

    internal sealed class SafeBignum : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeBignum() : base(true) { }
        protected override bool ReleaseHandle() { BN_clear_free(handle); return true; }
    }

    internal sealed class SafeBnCtx : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeBnCtx() : base(true) { }
        protected override bool ReleaseHandle() { BN_CTX_free(handle); return true; }
    }

    internal sealed class SafeEvpPkey : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeEvpPkey() : base(true) { }
        private SafeEvpPkey(IntPtr key) : base(true) => SetHandle(key);

        /// <summary>Our own reference (EVP_PKEY_up_ref) to the EVP_PKEY behind a .NET OpenSSL key handle.</summary>
        internal static SafeEvpPkey FromDotNet(System.Security.Cryptography.SafeEvpPKeyHandle dotnet)
        {
            var added = false;
            try
            {
                dotnet.DangerousAddRef(ref added);
                var raw = dotnet.DangerousGetHandle();
                Check(EVP_PKEY_up_ref(raw), nameof(EVP_PKEY_up_ref));
                return new SafeEvpPkey(raw);
            }
            finally
            {
                if (added)
                    dotnet.DangerousRelease();
            }
        }
        protected override bool ReleaseHandle() { EVP_PKEY_free(handle); return true; }
    }

    internal sealed class SafeEvpPkeyCtx : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeEvpPkeyCtx() : base(true) { }
        protected override bool ReleaseHandle() { EVP_PKEY_CTX_free(handle); return true; }
    }

    /// <summary>A libcrypto call failed; the message names the call. The OpenSSL error queue is cleared.</summary>
    internal sealed class OpenSslException(string call) : Exception($"libcrypto: {call} failed (0x{ERR_get_error_and_clear():x})");

    private static ulong ERR_get_error_and_clear()
    {
        var first = ERR_get_error();
        ERR_clear_error();
        return first;
    }

    private static T Check<T>(T handle, string call) where T : SafeHandle =>
        handle.IsInvalid ? throw Fail(handle, call) : handle;

    private static OpenSslException Fail(SafeHandle handle, string call)
    {
        handle.Dispose();
        return new OpenSslException(call);
    }

    private static void Check(int result, string call)
    {
        if (result != 1)
            throw new OpenSslException(call);
    }

    // ---- MODP: y = g^x mod p ------------------------------------------------------------------------------------

    internal static SafeBnCtx BnCtx() => Check(BN_CTX_new(), nameof(BN_CTX_new));

    /// <summary>
    /// base^exponent mod modulus, big-endian unsigned in and out, written to <paramref name="result"/> left-padded to its
    /// length. Uses BN_mod_exp_mont_consttime (the exponent is secret; the modulus is odd).
    /// </summary>
    internal static void ModExp(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus, Span<byte> result)
    {
        using var ctx = BnCtx();
        using var b = FromBytes(@base);
        using var e = FromBytes(exponent);
        using var m = FromBytes(modulus);
        using var r = Check(BN_new(), nameof(BN_new));
        Check(BN_mod_exp_mont_consttime(r, b, e, m, ctx, IntPtr.Zero), nameof(BN_mod_exp_mont_consttime));
        if (BN_bn2binpad(r, ref MemoryMarshal.GetReference(result), result.Length) != result.Length)
            throw new OpenSslException(nameof(BN_bn2binpad));
    }

    private static SafeBignum FromBytes(ReadOnlySpan<byte> bigEndian) =>
        Check(BN_bin2bn(in MemoryMarshal.GetReference(bigEndian), bigEndian.Length, IntPtr.Zero), nameof(BN_bin2bn));

    // ---- X25519 / X448 --------------------------------------------------------------------------------------------

    internal static SafeEvpPkey RawPrivateKey(int nid, ReadOnlySpan<byte> privateKey) =>
        Check(EVP_PKEY_new_raw_private_key(nid, IntPtr.Zero, in MemoryMarshal.GetReference(privateKey), (nuint)privateKey.Length),
            nameof(EVP_PKEY_new_raw_private_key));

    internal static SafeEvpPkey RawPublicKey(int nid, ReadOnlySpan<byte> publicKey) =>
        Check(EVP_PKEY_new_raw_public_key(nid, IntPtr.Zero, in MemoryMarshal.GetReference(publicKey), (nuint)publicKey.Length),
            nameof(EVP_PKEY_new_raw_public_key));

    internal static void GetRawPublicKey(SafeEvpPkey key, Span<byte> destination)
    {
        var length = (nuint)destination.Length;
        Check(EVP_PKEY_get_raw_public_key(key, ref MemoryMarshal.GetReference(destination), ref length), nameof(EVP_PKEY_get_raw_public_key));
        if (length != (nuint)destination.Length)
            throw new OpenSslException(nameof(EVP_PKEY_get_raw_public_key));
    }

    // ---- ECP (NIST curves) ----------------------------------------------------------------------------------------

    /// <summary>A fresh EC key pair on the named curve ("P-256", "P-384", "P-521").</summary>
    internal static SafeEvpPkey GenerateEcKey(string curve)
    {
        using var ctx = Check(EVP_PKEY_CTX_new_from_name(IntPtr.Zero, "EC", null), nameof(EVP_PKEY_CTX_new_from_name));
        Check(EVP_PKEY_keygen_init(ctx), nameof(EVP_PKEY_keygen_init));
        Check(EVP_PKEY_CTX_set_group_name(ctx, curve), nameof(EVP_PKEY_CTX_set_group_name));
        Check(EVP_PKEY_generate(ctx, out var key), nameof(EVP_PKEY_generate));
        return Check(key, nameof(EVP_PKEY_generate));
    }

    /// <summary>
    /// An EC public key on the curve of <paramref name="template"/> from its SEC1 uncompressed encoding 04‖x‖y.
    /// Decoding (EC_POINT_oct2point) refuses coordinates outside the field and points not on the curve;
    /// EVP_PKEY_public_check_quick then refuses the point at infinity and repeats the range and on-curve checks
    /// (SP 800-56A partial validation — complete for these cofactor-1 curves). Null when the point is invalid.
    /// </summary>
    internal static SafeEvpPkey? EcPublicKey(SafeEvpPkey template, ReadOnlySpan<byte> uncompressedPoint)
    {
        var key = Check(EVP_PKEY_new(), nameof(EVP_PKEY_new));
        try
        {
            Check(EVP_PKEY_copy_parameters(key, template), nameof(EVP_PKEY_copy_parameters));
            if (EVP_PKEY_set1_encoded_public_key(key, in MemoryMarshal.GetReference(uncompressedPoint), (nuint)uncompressedPoint.Length) != 1)
            {
                ERR_clear_error();
                key.Dispose();
                return null;
            }

            using var check = Check(EVP_PKEY_CTX_new(key, IntPtr.Zero), nameof(EVP_PKEY_CTX_new));
            if (EVP_PKEY_public_check_quick(check) != 1)
            {
                ERR_clear_error();
                key.Dispose();
                return null;
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The public point of an EC key, SEC1 uncompressed (04‖x‖y), into <paramref name="destination"/>.</summary>
    internal static void GetEcPublicPoint(SafeEvpPkey key, Span<byte> destination)
    {
        Check(EVP_PKEY_get_octet_string_param(key, "pub", ref MemoryMarshal.GetReference(destination), (nuint)destination.Length, out var written),
            nameof(EVP_PKEY_get_octet_string_param));
        if (written != (nuint)destination.Length)
            throw new OpenSslException(nameof(EVP_PKEY_get_octet_string_param));
    }

    // ---- derivation (ECDH, X25519, X448) --------------------------------------------------------------------------

    /// <summary>
    /// Shared secret of our key and a peer public key (already validated) into <paramref name="destination"/>, whose
    /// length must be the exact secret length. False when libcrypto refuses the derivation (X25519/X448: an all-zero
    /// result; ECDH: the point at infinity).
    /// </summary>
    internal static bool TryDerive(SafeEvpPkey ours, SafeEvpPkey peer, Span<byte> destination)
    {
        using var ctx = Check(EVP_PKEY_CTX_new(ours, IntPtr.Zero), nameof(EVP_PKEY_CTX_new));
        Check(EVP_PKEY_derive_init(ctx), nameof(EVP_PKEY_derive_init));
        // The peer was validated when it was imported (EcPublicKey) or has no structure to validate (raw X25519/X448).
        Check(EVP_PKEY_derive_set_peer_ex(ctx, peer, 0), nameof(EVP_PKEY_derive_set_peer_ex));
        var length = (nuint)destination.Length;
        if (EVP_PKEY_derive(ctx, ref MemoryMarshal.GetReference(destination), ref length) != 1)
        {
            ERR_clear_error();
            destination.Clear();
            return false;
        }

        if (length != (nuint)destination.Length)
            throw new OpenSslException(nameof(EVP_PKEY_derive));
        return true;
    }

    // ---- imports --------------------------------------------------------------------------------------------------

    [LibraryImport(Library)] private static partial ulong OpenSSL_version_num();
    [LibraryImport(Library)] private static partial IntPtr OpenSSL_version(int type);
    [LibraryImport(Library)] private static partial ulong ERR_get_error();
    [LibraryImport(Library)] private static partial void ERR_clear_error();

    [LibraryImport(Library)] private static partial SafeBnCtx BN_CTX_new();
    [LibraryImport(Library)] private static partial void BN_CTX_free(IntPtr ctx);
    [LibraryImport(Library)] private static partial SafeBignum BN_new();
    [LibraryImport(Library)] private static partial void BN_clear_free(IntPtr a);
    [LibraryImport(Library)] private static partial SafeBignum BN_bin2bn(in byte s, int len, IntPtr ret);
    [LibraryImport(Library)] private static partial int BN_bn2binpad(SafeBignum a, ref byte to, int tolen);
    [LibraryImport(Library)]
    private static partial int BN_mod_exp_mont_consttime(SafeBignum r, SafeBignum a, SafeBignum p, SafeBignum m, SafeBnCtx ctx, IntPtr inMont);

    [LibraryImport(Library)] private static partial void EVP_PKEY_free(IntPtr key);
    [LibraryImport(Library)] private static partial void EVP_PKEY_CTX_free(IntPtr ctx);
    [LibraryImport(Library)] private static partial SafeEvpPkey EVP_PKEY_new_raw_private_key(int type, IntPtr engine, in byte key, nuint keylen);
    [LibraryImport(Library)] private static partial SafeEvpPkey EVP_PKEY_new_raw_public_key(int type, IntPtr engine, in byte key, nuint keylen);
    [LibraryImport(Library)] private static partial int EVP_PKEY_get_raw_public_key(SafeEvpPkey key, ref byte pub, ref nuint len);
    [LibraryImport(Library)] private static partial SafeEvpPkeyCtx EVP_PKEY_CTX_new(SafeEvpPkey key, IntPtr engine);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial SafeEvpPkeyCtx EVP_PKEY_CTX_new_from_name(IntPtr libctx, string name, string? propquery);
    [LibraryImport(Library)] private static partial int EVP_PKEY_keygen_init(SafeEvpPkeyCtx ctx);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int EVP_PKEY_CTX_set_group_name(SafeEvpPkeyCtx ctx, string name);
    [LibraryImport(Library)] private static partial int EVP_PKEY_generate(SafeEvpPkeyCtx ctx, out SafeEvpPkey key);
    [LibraryImport(Library)] private static partial SafeEvpPkey EVP_PKEY_new();
    [LibraryImport(Library)] private static partial int EVP_PKEY_up_ref(IntPtr key);
    [LibraryImport(Library)] private static partial int EVP_PKEY_copy_parameters(SafeEvpPkey to, SafeEvpPkey from);
    [LibraryImport(Library)] private static partial int EVP_PKEY_set1_encoded_public_key(SafeEvpPkey key, in byte pub, nuint publen);
    [LibraryImport(Library)] private static partial int EVP_PKEY_public_check_quick(SafeEvpPkeyCtx ctx);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int EVP_PKEY_get_octet_string_param(SafeEvpPkey key, string name, ref byte buffer, nuint size, out nuint written);
    [LibraryImport(Library)] private static partial int EVP_PKEY_derive_init(SafeEvpPkeyCtx ctx);
    [LibraryImport(Library)] private static partial int EVP_PKEY_derive_set_peer_ex(SafeEvpPkeyCtx ctx, SafeEvpPkey peer, int validatePeer);
    [LibraryImport(Library)] private static partial int EVP_PKEY_derive(SafeEvpPkeyCtx ctx, ref byte key, ref nuint keylen);

}
