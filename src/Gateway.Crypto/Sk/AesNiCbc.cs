using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Gateway.Crypto.Sk;

/// <summary>
/// AES-CBC (128/192/256 bits, whole blocks, no padding) on the CPU's AES instructions (AES-NI), keyed once. Why not
/// libcrypto's EVP_CIPHER_CTX: in OpenSSL 3.0 setting the IV of a keyed context (EVP_CipherInit_ex) goes through the
/// provider layer and OSSL_PARAM queries, which cost several times the encryption of a small ESP packet; here a
/// packet is the AES rounds and nothing else. The instructions run in constant time (no table lookups), also in the
/// key expansion (AESKEYGENASSIST does SubWord).
/// <para>The key and its round keys live in pinned arrays (never moved, so no stray copies) and are wiped by <see cref="Dispose"/>.
/// Not thread-safe in the sense of the callers' contract (one instance per SA direction), although it keeps no
/// per-message state.</para>
/// </summary>
internal sealed class AesNiCbc : IDisposable
{
    private const int BlockSize = 16;

    private readonly byte[] _key;
    private readonly int _rounds;

    // Each schedule is expanded on first use: an ESP SA's transform only ever encrypts (outbound) or decrypts (inbound),
    // so keeping both was 264 bytes (AES-256) of every SA for nothing (docs/loadtest-profile.md).
    private Vector128<byte>[]? _encryptKeys;
    private Vector128<byte>[]? _decryptKeys;
    private bool _disposed;

    /// <summary>True on x86 CPUs with AES-NI (every x86-64 server CPU of the last decade).</summary>
    internal static bool IsSupported => X86Aes.IsSupported;

    internal AesNiCbc(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("AES-NI is not available");
        _rounds = key.Length switch
        {
            16 => 10,
            24 => 12,
            32 => 14,
            _ => throw new ArgumentException($"AES needs a 16, 24 or 32-byte key, not {key.Length}", nameof(key)),
        };
        _key = GC.AllocateArray<byte>(key.Length, pinned: true);
        key.CopyTo(_key);
    }

    private Vector128<byte>[] EncryptKeys => _encryptKeys ?? Publish(ref _encryptKeys, ExpandEncryptKeys());

    private Vector128<byte>[] DecryptKeys => _decryptKeys ?? Publish(ref _decryptKeys, ExpandDecryptKeys());

    private Vector128<byte>[] ExpandEncryptKeys()
    {
        var keys = GC.AllocateArray<Vector128<byte>>(_rounds + 1, pinned: true);
        ExpandKey(_key, keys);
        return keys;
    }

    /// <summary>
    /// The "equivalent inverse cipher" (FIPS 197 §5.3.5), the order AESDEC expects: the encryption round keys
    /// reversed, the inner ones through InvMixColumns.
    /// </summary>
    private Vector128<byte>[] ExpandDecryptKeys()
    {
        var encrypt = _encryptKeys ?? ExpandEncryptKeys(); // not published: an inbound SA never encrypts
        var keys = GC.AllocateArray<Vector128<byte>>(_rounds + 1, pinned: true);
        keys[0] = encrypt[_rounds];
        for (var i = 1; i < _rounds; i++)
            keys[i] = X86Aes.InverseMixColumns(encrypt[_rounds - i]);
        keys[_rounds] = encrypt[0];
        if (!ReferenceEquals(encrypt, _encryptKeys))
            Wipe(encrypt);
        return keys;
    }

    /// <summary>Two threads may expand at once (packets of one SA on two workers): one schedule wins, the other is wiped.</summary>
    private static Vector128<byte>[] Publish(ref Vector128<byte>[]? field, Vector128<byte>[] keys)
    {
        var winner = Interlocked.CompareExchange(ref field, keys, null);
        if (winner is null)
            return keys;
        Wipe(keys);
        return winner;
    }

    private static void Wipe(Vector128<byte>[]? keys) => CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(keys.AsSpan()));

    /// <summary>Encrypts whole blocks. Input and output may be the same buffer (not partially overlapping).</summary>
    internal void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckArguments(iv, input, output);
        ReadOnlySpan<Vector128<byte>> keys = EncryptKeys;
        var last = keys.Length - 1;
        var state = Vector128.Create(iv);
        for (var offset = 0; offset < input.Length; offset += BlockSize)
        {
            // CBC encryption is serial: each block needs the previous ciphertext.
            state ^= Vector128.Create(input.Slice(offset, BlockSize)) ^ keys[0];
            for (var r = 1; r < last; r++)
                state = X86Aes.Encrypt(state, keys[r]);
            state = X86Aes.EncryptLast(state, keys[last]);
            state.CopyTo(output.Slice(offset, BlockSize));
        }
    }

    /// <summary>Decrypts whole blocks, four at a time. Input and output may be the same buffer (not partially overlapping).</summary>
    internal void Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckArguments(iv, input, output);
        ReadOnlySpan<Vector128<byte>> keys = DecryptKeys;
        var last = keys.Length - 1;
        var previous = Vector128.Create(iv);
        var offset = 0;

        // CBC decryption is parallel: four independent AESDEC chains hide the instruction's latency. All four
        // ciphertext blocks are read before anything is written (in-place use).
        for (; offset + 4 * BlockSize <= input.Length; offset += 4 * BlockSize)
        {
            var c0 = Vector128.Create(input.Slice(offset, BlockSize));
            var c1 = Vector128.Create(input.Slice(offset + BlockSize, BlockSize));
            var c2 = Vector128.Create(input.Slice(offset + 2 * BlockSize, BlockSize));
            var c3 = Vector128.Create(input.Slice(offset + 3 * BlockSize, BlockSize));
            var k = keys[0];
            Vector128<byte> b0 = c0 ^ k, b1 = c1 ^ k, b2 = c2 ^ k, b3 = c3 ^ k;
            for (var r = 1; r < last; r++)
            {
                k = keys[r];
                b0 = X86Aes.Decrypt(b0, k);
                b1 = X86Aes.Decrypt(b1, k);
                b2 = X86Aes.Decrypt(b2, k);
                b3 = X86Aes.Decrypt(b3, k);
            }

            k = keys[last];
            (X86Aes.DecryptLast(b0, k) ^ previous).CopyTo(output.Slice(offset, BlockSize));
            (X86Aes.DecryptLast(b1, k) ^ c0).CopyTo(output.Slice(offset + BlockSize, BlockSize));
            (X86Aes.DecryptLast(b2, k) ^ c1).CopyTo(output.Slice(offset + 2 * BlockSize, BlockSize));
            (X86Aes.DecryptLast(b3, k) ^ c2).CopyTo(output.Slice(offset + 3 * BlockSize, BlockSize));
            previous = c3;
        }

        for (; offset < input.Length; offset += BlockSize)
        {
            var c = Vector128.Create(input.Slice(offset, BlockSize));
            var b = c ^ keys[0];
            for (var r = 1; r < last; r++)
                b = X86Aes.Decrypt(b, keys[r]);
            (X86Aes.DecryptLast(b, keys[last]) ^ previous).CopyTo(output.Slice(offset, BlockSize));
            previous = c;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        Wipe(_encryptKeys);
        Wipe(_decryptKeys);
    }

    private void CheckArguments(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (iv.Length != BlockSize || input.Length % BlockSize != 0 || output.Length < input.Length)
            throw new ArgumentException("CBC: IV must be one block, input whole blocks, output at least as long as the input");
    }

    /// <summary>FIPS 197 §5.2 on 32-bit words (little-endian, the register layout), SubWord by AESKEYGENASSIST.</summary>
    private static void ExpandKey(ReadOnlySpan<byte> key, Vector128<byte>[] roundKeys)
    {
        var nk = key.Length / 4;
        Span<uint> w = stackalloc uint[roundKeys.Length * 4];
        MemoryMarshal.Cast<byte, uint>(key).CopyTo(w);
        byte rcon = 1;
        for (var i = nk; i < w.Length; i++)
        {
            var t = w[i - 1];
            if (i % nk == 0)
            {
                // Lane 1 of AESKEYGENASSIST is RotWord(SubWord(X1)) ^ rcon.
                t = KeygenAssist(Vector128.Create(0, t, 0, 0).AsByte(), rcon).AsUInt32().GetElement(1);
                rcon = (byte)((rcon << 1) ^ (rcon >> 7) * 0x1b);
            }
            else if (nk > 6 && i % nk == 4)
            {
                // Lane 0 is SubWord(X1).
                t = KeygenAssist(Vector128.Create(0, t, 0, 0).AsByte(), 0).AsUInt32().GetElement(0);
            }

            w[i] = w[i - nk] ^ t;
        }

        for (var r = 0; r < roundKeys.Length; r++)
            roundKeys[r] = Vector128.Create(w[4 * r], w[4 * r + 1], w[4 * r + 2], w[4 * r + 3]).AsByte();
        w.Clear();
    }

    // The round constant is an immediate operand.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> KeygenAssist(Vector128<byte> x, byte rcon) => rcon switch
    {
        0x00 => X86Aes.KeygenAssist(x, 0x00),
        0x01 => X86Aes.KeygenAssist(x, 0x01),
        0x02 => X86Aes.KeygenAssist(x, 0x02),
        0x04 => X86Aes.KeygenAssist(x, 0x04),
        0x08 => X86Aes.KeygenAssist(x, 0x08),
        0x10 => X86Aes.KeygenAssist(x, 0x10),
        0x20 => X86Aes.KeygenAssist(x, 0x20),
        0x40 => X86Aes.KeygenAssist(x, 0x40),
        0x80 => X86Aes.KeygenAssist(x, 0x80),
        0x1b => X86Aes.KeygenAssist(x, 0x1b),
        0x36 => X86Aes.KeygenAssist(x, 0x36),
        _ => throw new ArgumentOutOfRangeException(nameof(rcon)),
    };
}
