using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Crypto.Tests.StrongSwan;

/// <summary>The IKE SA suite a captured gateway chose, read from its IKE_SA_INIT response.</summary>
internal sealed record NegotiatedSuite(EncryptionAlgorithm Encryption, int KeyBits, IntegrityAlgorithm Integrity, PseudorandomFunction Prf)
{
    public static NegotiatedSuite Of(CapturedScenario s)
    {
        // A capture may start with an INVALID_KE round trip: the accepted response is the one that carries an SA.
        var response = s.Packets.Last(p => p.Message.Header.ExchangeType == ExchangeType.IkeSaInit && p.Message.Header.IsResponse);
        var proposal = response.Message.Find<SecurityAssociationPayload>()!.Proposals.Single();
        var encr = proposal.OfType(TransformType.Encryption).Single();
        var integ = proposal.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault(); // 0 = none (AEAD)
        return new NegotiatedSuite((EncryptionAlgorithm)encr.Id, encr.KeyLength ?? 0,
            (IntegrityAlgorithm)integ,
            (PseudorandomFunction)proposal.OfType(TransformType.PseudorandomFunction).Single().Id);
    }

    public IkeSaKeys DeriveKeys(CapturedScenario s)
    {
        var init = s.Packets.Last(p => p.Message.Header.ExchangeType == ExchangeType.IkeSaInit && p.Message.Header.IsResponse).Message;
        return IkeKeySchedule.DeriveIkeSaKeys(Prf, s.Key("shared_secret"), s.Key("ni"), s.Key("nr"),
            init.Header.InitiatorSpi, init.Header.ResponderSpi,
            TransformSizes.Get(Encryption, KeyBits).KeyMaterialSize, TransformSizes.Get(Integrity).KeySize);
    }

    public ISkProtection Protection(IkeSaKeys keys, bool fromInitiator) => fromInitiator
        ? SkProtectionFactory.Create(Encryption, KeyBits, Integrity, keys.SkEi, keys.SkAi)
        : SkProtectionFactory.Create(Encryption, KeyBits, Integrity, keys.SkEr, keys.SkAr);
}
