using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Core.Persistence;

/// <summary>Decoding persisted state failed: unknown version or key, tampering, truncation. The message names which.</summary>
public sealed class StateFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The envelope of every persisted state blob: <c>version:u8 | kind:u8 | key id:u32 | nonce:12 | tag:16 | ciphertext</c>.
/// AES-256-GCM over the whole body (keys, but also identities and addresses); version, kind and key id are the
/// associated data, so none of them can be swapped without the tag failing. The version says how the body is laid out.
/// </summary>
public static class StateCipher
{
    public const int HeaderLength = 1 + 1 + 4 + NonceLength + TagLength;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public static byte[] Seal(byte version, byte kind, ReadOnlySpan<byte> body, StateKey key)
    {
        var blob = new byte[HeaderLength + body.Length];
        blob[0] = version;
        blob[1] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(2), key.Id);
        var nonce = blob.AsSpan(6, NonceLength);
        RandomNumberGenerator.Fill(nonce); // random 96-bit nonces: far below the 2^32 messages per key limit
        using var gcm = new AesGcm(key.Key, TagLength);
        gcm.Encrypt(nonce, body, blob.AsSpan(HeaderLength), blob.AsSpan(6 + NonceLength, TagLength), blob.AsSpan(0, 6));
        return blob;
    }

    /// <summary>The version, kind and plaintext body of a blob; <see cref="StateFormatException"/> when it cannot be trusted.</summary>
    public static (byte Version, byte Kind, byte[] Body) Open(ReadOnlySpan<byte> blob, StateKeyRing keys)
    {
        if (blob.Length < HeaderLength)
            throw new StateFormatException($"state blob of {blob.Length} bytes is shorter than its {HeaderLength}-byte header");
        uint id = BinaryPrimitives.ReadUInt32BigEndian(blob[2..]);
        var key = keys.Find(id) ?? throw new StateFormatException(
            $"state blob sealed with key id {id:x8}, which is not configured (current key id {keys.Current.Id:x8}); add the old key to decrypt it");
        var body = new byte[blob.Length - HeaderLength];
        try
        {
            using var gcm = new AesGcm(key.Key, TagLength);
            gcm.Decrypt(blob.Slice(6, NonceLength), blob[HeaderLength..], blob.Slice(6 + NonceLength, TagLength), body, blob[..6]);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new StateFormatException($"state blob (key id {id:x8}) failed authentication: tampered or corrupted", e);
        }
        return (blob[0], blob[1], body);
    }
}
