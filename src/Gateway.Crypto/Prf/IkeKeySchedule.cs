using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Ike;

namespace Gateway.Crypto.Prf;

/// <summary>
/// The seven keys of an IKE SA (RFC 7296 §2.14), in the order prf+ yields them. Arrays are owned by this object;
/// <see cref="Dispose"/> zeroes them. <see cref="ToString"/> never shows key material.
/// </summary>
public sealed class IkeSaKeys : IDisposable
{
    internal IkeSaKeys(byte[] skeyseed, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr)
    {
        Skeyseed = skeyseed;
        SkD = skD;
        SkAi = skAi;
        SkAr = skAr;
        SkEi = skEi;
        SkEr = skEr;
        SkPi = skPi;
        SkPr = skPr;
    }

    /// <summary>SKEYSEED (kept for comparison with peers' debug logs; not needed after derivation).</summary>
    public byte[] Skeyseed { get; }

    /// <summary>SK_d: derives child SA keys and the next SKEYSEED on rekey.</summary>
    public byte[] SkD { get; }

    /// <summary>SK_ai: integrity key, initiator → responder (empty for AEAD).</summary>
    public byte[] SkAi { get; }

    /// <summary>SK_ar: integrity key, responder → initiator (empty for AEAD).</summary>
    public byte[] SkAr { get; }

    /// <summary>SK_ei: encryption key (incl. AEAD salt at the end), initiator → responder.</summary>
    public byte[] SkEi { get; }

    /// <summary>SK_er: encryption key (incl. AEAD salt at the end), responder → initiator.</summary>
    public byte[] SkEr { get; }

    /// <summary>SK_pi: for the initiator's AUTH payload.</summary>
    public byte[] SkPi { get; }

    /// <summary>SK_pr: for the responder's AUTH payload.</summary>
    public byte[] SkPr { get; }

    public void Dispose()
    {
        foreach (var k in new[] { Skeyseed, SkD, SkAi, SkAr, SkEi, SkEr, SkPi, SkPr })
        {
            CryptographicOperations.ZeroMemory(k);
        }
    }

    public override string ToString() => $"IkeSaKeys(SK_d {SkD.Length}, SK_a {SkAi.Length}, SK_e {SkEi.Length}, SK_p {SkPi.Length} bytes; redacted)";
}

/// <summary>
/// Child SA keying material (RFC 7296 §2.17): for each direction the encryption key (with AEAD salt) then the
/// integrity key, initiator → responder first. <see cref="ToString"/> never shows key material.
/// </summary>
public sealed class ChildSaKeys : IDisposable
{
    internal ChildSaKeys(byte[] encI, byte[] integI, byte[] encR, byte[] integR)
    {
        EncryptionInitiatorToResponder = encI;
        IntegrityInitiatorToResponder = integI;
        EncryptionResponderToInitiator = encR;
        IntegrityResponderToInitiator = integR;
    }

    /// <summary>Encryption key (+ salt) of the SA carrying data from initiator to responder.</summary>
    public byte[] EncryptionInitiatorToResponder { get; }

    /// <summary>Integrity key of the SA carrying data from initiator to responder (empty for AEAD).</summary>
    public byte[] IntegrityInitiatorToResponder { get; }

    /// <summary>Encryption key (+ salt) of the SA carrying data from responder to initiator.</summary>
    public byte[] EncryptionResponderToInitiator { get; }

    /// <summary>Integrity key of the SA carrying data from responder to initiator (empty for AEAD).</summary>
    public byte[] IntegrityResponderToInitiator { get; }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(EncryptionInitiatorToResponder);
        CryptographicOperations.ZeroMemory(IntegrityInitiatorToResponder);
        CryptographicOperations.ZeroMemory(EncryptionResponderToInitiator);
        CryptographicOperations.ZeroMemory(IntegrityResponderToInitiator);
    }

    public override string ToString() => $"ChildSaKeys(enc {EncryptionInitiatorToResponder.Length}, integ {IntegrityInitiatorToResponder.Length} bytes; redacted)";
}

/// <summary>The IKEv2 key schedule: RFC 7296 §2.14 (initial), §2.18 (IKE SA rekey), §2.17 (child SAs).</summary>
public static class IkeKeySchedule
{
    /// <summary>SKEYSEED = prf(Ni | Nr, g^ir) (§2.14).</summary>
    public static byte[] ComputeSkeyseed(Prf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR)
    {
        var key = Concat(nonceI, nonceR);
        try
        {
            return prf.Compute(key, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Rekeyed SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr) (§2.18), computed with the old IKE SA's PRF.</summary>
    public static byte[] ComputeRekeyedSkeyseed(Prf oldPrf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> newSharedSecret,
        ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR)
    {
        var data = Concat(newSharedSecret, nonceI, nonceR);
        try
        {
            return oldPrf.Compute(oldSkD, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>
    /// All keys of a new IKE SA from its handshake values (§2.14). <paramref name="encryptionKeyLength"/> includes an
    /// AEAD salt (see <see cref="EncryptionSizes.KeyMaterialSize"/>); <paramref name="integrityKeyLength"/> is 0 for AEAD.
    /// SPIs are the 8-byte values as on the wire.
    /// </summary>
    public static IkeSaKeys DeriveIkeSaKeys(PseudorandomFunction prfId, ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR, ReadOnlySpan<byte> spiI, ReadOnlySpan<byte> spiR,
        int encryptionKeyLength, int integrityKeyLength)
    {
        var prf = Prf.Get(prfId);
        var skeyseed = ComputeSkeyseed(prf, sharedSecret, nonceI, nonceR);
        return DeriveFromSkeyseed(prf, skeyseed, nonceI, nonceR, spiI, spiR, encryptionKeyLength, integrityKeyLength);
    }

    /// <summary>As <see cref="DeriveIkeSaKeys(PseudorandomFunction, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int)"/> with SPIs as 64-bit numbers (network order on the wire).</summary>
    public static IkeSaKeys DeriveIkeSaKeys(PseudorandomFunction prfId, ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR, ulong spiI, ulong spiR, int encryptionKeyLength, int integrityKeyLength)
    {
        Span<byte> i = stackalloc byte[8];
        Span<byte> r = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(i, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(r, spiR);
        return DeriveIkeSaKeys(prfId, sharedSecret, nonceI, nonceR, i, r, encryptionKeyLength, integrityKeyLength);
    }

    /// <summary>
    /// Keys of an IKE SA created by rekeying (§2.18): SKEYSEED from the old PRF and SK_d, then prf+ with the new PRF
    /// over Ni | Nr | SPIi | SPIr of the new SA.
    /// </summary>
    public static IkeSaKeys DeriveRekeyedIkeSaKeys(PseudorandomFunction oldPrfId, ReadOnlySpan<byte> oldSkD,
        PseudorandomFunction newPrfId, ReadOnlySpan<byte> newSharedSecret, ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR,
        ReadOnlySpan<byte> spiI, ReadOnlySpan<byte> spiR, int encryptionKeyLength, int integrityKeyLength)
    {
        var skeyseed = ComputeRekeyedSkeyseed(Prf.Get(oldPrfId), oldSkD, newSharedSecret, nonceI, nonceR);
        return DeriveFromSkeyseed(Prf.Get(newPrfId), skeyseed, nonceI, nonceR, spiI, spiR, encryptionKeyLength, integrityKeyLength);
    }

    /// <summary>
    /// Child SA keys (§2.17): KEYMAT = prf+(SK_d, Ni | Nr), or with PFS prf+(SK_d, g^ir(new) | Ni | Nr) when
    /// <paramref name="newSharedSecret"/> is not empty. Nonces are those of the exchange that creates the child SA.
    /// </summary>
    public static ChildSaKeys DeriveChildSaKeys(PseudorandomFunction prfId, ReadOnlySpan<byte> skD, ReadOnlySpan<byte> newSharedSecret,
        ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR, int encryptionKeyLength, int integrityKeyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(encryptionKeyLength);
        ArgumentOutOfRangeException.ThrowIfNegative(integrityKeyLength);
        var prf = Prf.Get(prfId);
        var seed = Concat(newSharedSecret, nonceI, nonceR);
        var keymat = prf.PrfPlus(skD, seed, 2 * (encryptionKeyLength + integrityKeyLength));
        CryptographicOperations.ZeroMemory(seed);
        var offset = 0;
        var encI = Take(keymat, ref offset, encryptionKeyLength);
        var integI = Take(keymat, ref offset, integrityKeyLength);
        var encR = Take(keymat, ref offset, encryptionKeyLength);
        var integR = Take(keymat, ref offset, integrityKeyLength);
        CryptographicOperations.ZeroMemory(keymat);
        return new ChildSaKeys(encI, integI, encR, integR);
    }

    private static IkeSaKeys DeriveFromSkeyseed(Prf prf, byte[] skeyseed, ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR,
        ReadOnlySpan<byte> spiI, ReadOnlySpan<byte> spiR, int encryptionKeyLength, int integrityKeyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(encryptionKeyLength);
        ArgumentOutOfRangeException.ThrowIfNegative(integrityKeyLength);
        if (spiI.Length != 8 || spiR.Length != 8)
        {
            throw new ArgumentException("IKE SPIs are 8 bytes");
        }

        var seed = Concat(nonceI, nonceR, spiI, spiR);
        var total = 3 * prf.KeySize + 2 * integrityKeyLength + 2 * encryptionKeyLength;
        var stream = prf.PrfPlus(skeyseed, seed, total);
        var offset = 0;
        var keys = new IkeSaKeys(
            skeyseed,
            Take(stream, ref offset, prf.KeySize),
            Take(stream, ref offset, integrityKeyLength),
            Take(stream, ref offset, integrityKeyLength),
            Take(stream, ref offset, encryptionKeyLength),
            Take(stream, ref offset, encryptionKeyLength),
            Take(stream, ref offset, prf.KeySize),
            Take(stream, ref offset, prf.KeySize));
        CryptographicOperations.ZeroMemory(stream);
        return keys;
    }

    private static byte[] Take(byte[] source, ref int offset, int length)
    {
        var result = source.AsSpan(offset, length).ToArray();
        offset += length;
        return result;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default, ReadOnlySpan<byte> d = default)
    {
        var result = new byte[a.Length + b.Length + c.Length + d.Length];
        var span = result.AsSpan();
        a.CopyTo(span);
        b.CopyTo(span[a.Length..]);
        c.CopyTo(span[(a.Length + b.Length)..]);
        d.CopyTo(span[(a.Length + b.Length + c.Length)..]);
        return result;
    }
}
