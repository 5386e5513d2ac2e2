using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Restricts a configured proposal to the transforms the crypto library implements, so selection can never pick
/// something we cannot run (the executable validates configuration too; this is the last line).
/// </summary>
internal static class ImplementedTransforms
{
    public static Proposal Only(Proposal p) => p with
    {
        Transforms = p.Transforms.Where(t => t.Type switch
        {
            TransformType.Encryption => (EncryptionAlgorithm)t.Id != EncryptionAlgorithm.Null
                                        && TransformSizes.IsSupported((EncryptionAlgorithm)t.Id, t.KeyLength ?? 0),
            TransformType.Integrity => TransformSizes.IsSupported((IntegrityAlgorithm)t.Id),
            TransformType.PseudorandomFunction => Crypto.Prf.Prf.IsSupported((PseudorandomFunction)t.Id),
            TransformType.KeyExchange => t.Id == 0 || KeyExchangeFactory.IsSupported((KeyExchangeGroup)t.Id),
            _ => true,
        }).ToList(),
    };

    /// <summary>Whether an IKE selection can run SK protection (AEAD without integrity, or CBC with an HMAC).</summary>
    public static bool CanProtectIke(Proposal selected)
    {
        var encryption = selected.OfType(TransformType.Encryption).First();
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        return SkProtectionFactory.IsSupported((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity);
    }
}
