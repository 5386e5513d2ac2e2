using Gateway.Ike;

namespace Gateway.Crypto.Sk;

/// <summary>
/// SK protection that keys its cipher and HMAC for each message and drops them after it, keeping only references to
/// the keys. An IKE SA exchanges a message every few minutes when idle, and keyed contexts (AES round keys, HMAC pad
/// states, 3DES EVP contexts) were about 3 KB of every idle tunnel; keying costs a few microseconds per IKE message
/// (nothing next to a handshake's signature). The key arrays belong to the caller (the SA's key set), which must keep
/// them unchanged while this is used and wipes them. Not thread-safe, like every <see cref="ISkProtection"/>.
/// </summary>
internal sealed class OnDemandSkProtection : ISkProtection
{
    private readonly EncryptionAlgorithm _encryption;
    private readonly int _keyLengthBits;
    private readonly IntegrityAlgorithm _integrity;
    private readonly byte[] _encryptionKey;
    private readonly byte[] _integrityKey;
    private readonly CipherBackend _backend;

    internal OnDemandSkProtection(EncryptionAlgorithm encryption, int keyLengthBits, IntegrityAlgorithm integrity,
        byte[] encryptionKey, byte[] integrityKey, CipherBackend backend)
    {
        _encryption = encryption;
        _keyLengthBits = keyLengthBits;
        _integrity = integrity;
        _encryptionKey = encryptionKey;
        _integrityKey = integrityKey;
        _backend = backend;
        // Keyed once here too: checks the algorithms and keys now rather than at the first message, and gives the sizes.
        using var probe = Keyed();
        IvSize = probe.IvSize;
        IcvSize = probe.IcvSize;
        BlockSize = probe.BlockSize;
    }

    public int IvSize { get; }

    public int IcvSize { get; }

    public int BlockSize { get; }

    /// <summary>Content ‖ padding ‖ pad length rounded up to the block (1 for AEAD), as both implementations pad.</summary>
    public int SealedLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return IvSize + (plaintextLength + BlockSize) / BlockSize * BlockSize + IcvSize;
    }

    public int MaxPlaintextLength(int sealedLength) => Math.Max(0, sealedLength - IvSize - IcvSize);

    public void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ivCiphertextIcv)
    {
        using var keyed = Keyed();
        keyed.Seal(associatedData, plaintext, ivCiphertextIcv);
    }

    public bool TryOpen(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ivCiphertextIcv, Span<byte> plaintext, out int plaintextLength)
    {
        using var keyed = Keyed();
        return keyed.TryOpen(associatedData, ivCiphertextIcv, plaintext, out plaintextLength);
    }

    /// <summary>Nothing to free: no context outlives a call, and the keys are the caller's.</summary>
    public void Dispose()
    {
    }

    private ISkProtection Keyed() =>
        SkProtectionFactory.Create(_encryption, _keyLengthBits, _integrity, _encryptionKey, _integrityKey, _backend);

    public override string ToString() => $"SK {_encryption}/{_integrity} keyed per message (keys redacted)";
}
