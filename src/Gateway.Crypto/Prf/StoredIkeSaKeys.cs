namespace Gateway.Crypto.Prf;

/// <summary>
/// Rebuilds <see cref="IkeSaKeys"/> from keys kept elsewhere (a persisted IKE SA resumed on another node). SKEYSEED is
/// not needed after derivation and is not stored, so it comes back empty. The arrays are taken, not copied.
/// </summary>
public static class StoredIkeSaKeys
{
    public static IkeSaKeys Restore(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) =>
        new([], skD, skAi, skAr, skEi, skEr, skPi, skPr);
}
