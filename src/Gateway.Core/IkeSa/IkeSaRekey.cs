using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Core.Policy;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>A new IKE SA made by a rekey: its keys, SPIs, our role in it, and the nonces (for collisions).</summary>
internal sealed record NewIkeSa(IkeSaCrypto Crypto, ulong InitiatorSpi, ulong ResponderSpi, bool LocalIsOriginalInitiator,
    byte[] NonceI, byte[] NonceR)
{
    public ulong LocalSpi => LocalIsOriginalInitiator ? InitiatorSpi : ResponderSpi;
}

/// <summary>Our IKE SA rekey in progress.</summary>
internal sealed class OurIkeRekey(ulong newLocalSpi, byte[] nonceI, IKeyExchange keyExchange, Proposal offered, IReadOnlyList<Payload> payloads)
{
    public ulong NewLocalSpi { get; } = newLocalSpi;
    public byte[] NonceI { get; } = nonceI;
    public IKeyExchange KeyExchange { get; } = keyExchange;
    public Proposal Offered { get; } = offered;
    public IReadOnlyList<Payload> Payloads { get; } = payloads;
    public bool Sent { get; set; }
    public bool AfterInvalidKe { get; init; }
}

/// <summary>The peer's IKE SA rekey answered: the payloads, and the new SA when one was made.</summary>
internal sealed record IkeRekeyOutcome(IReadOnlyList<Payload> Payloads, NewIkeSa? NewSa);

/// <summary>
/// Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18), both roles. SKEYSEED = prf(SK_d old, g^ir new |
/// Ni | Nr) with the old PRF, then the seven keys with the new PRF over Ni | Nr | SPIi | SPIr, where SPIi is the
/// rekey initiator's new SPI: the initiator of the rekey becomes the original initiator of the new IKE SA.
/// </summary>
internal sealed class IkeSaRekeyer(GatewayPolicy policy, IResponderServices services, ResponderOptions options)
{
    public IkeRekeyOutcome Respond(OpenedMessage request, IkeSaCrypto old)
    {
        var sa = request.Find<SecurityAssociationPayload>();
        var ke = request.Find<KeyExchangePayload>();
        var nonce = request.Find<NoncePayload>();
        if (sa is null || ke is null || nonce is null)
            return Error(NotifyPayload.Create(NotifyType.InvalidSyntax));
        var selected = Select(sa, ke.Group);
        if (selected is null || selected.Spi.Length != 8 || !ImplementedTransforms.CanProtectIke(selected))
            return Error(NotifyPayload.Create(NotifyType.NoProposalChosen));
        ulong peerSpi = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi.Span);
        var group = (KeyExchangeGroup)selected.OfType(TransformType.KeyExchange).First().Id;
        if (ke.Group != group)
            return Error(NotifyPayload.InvalidKe(group));
        if (peerSpi == 0)
            return Error(NotifyPayload.Create(NotifyType.InvalidSyntax));

        using var exchange = KeyExchangeFactory.Create(group);
        if (!exchange.TryComputeSharedSecret(ke.Data.Span, out var sharedSecret, out _))
            return Error(NotifyPayload.Create(NotifyType.InvalidSyntax));
        ulong ourSpi = services.AllocateIkeSpi();
        var nonceI = nonce.Data.ToArray();
        var nonceR = NewNonce();
        var crypto = Derive(old, selected, sharedSecret, nonceI, nonceR, peerSpi, ourSpi, localIsInitiator: false);
        CryptographicOperations.ZeroMemory(sharedSecret);
        return new IkeRekeyOutcome(
        [
            new SecurityAssociationPayload([new Proposal(selected.Number, ProtocolId.Ike, SpiBytes(ourSpi), selected.Transforms)]),
            new NoncePayload(nonceR),
            new KeyExchangePayload(group, exchange.PublicKey),
        ], new NewIkeSa(crypto, peerSpi, ourSpi, false, nonceI, nonceR));
    }

    /// <summary>Our rekey request: the current SA's algorithms (or, unknown, our first proposal) with a fresh SPI.</summary>
    public OurIkeRekey Offer(IkeSaCrypto current, KeyExchangeGroup? group = null, bool afterInvalidKe = false)
    {
        var basis = current.Selected ?? ImplementedTransforms.Only(policy.IkeProposals[0]);
        var transforms = basis.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList();
        var chosenGroup = group ?? (KeyExchangeGroup)basis.OfType(TransformType.KeyExchange).First().Id;
        transforms.Add(Transform.KeyExchange(chosenGroup));
        ulong ourSpi = services.AllocateIkeSpi();
        var offered = new Proposal(1, ProtocolId.Ike, SpiBytes(ourSpi), transforms);
        var exchange = KeyExchangeFactory.Create(chosenGroup);
        var nonceI = NewNonce();
        return new OurIkeRekey(ourSpi, nonceI, exchange, offered,
            [new SecurityAssociationPayload([offered]), new NoncePayload(nonceI), new KeyExchangePayload(chosenGroup, exchange.PublicKey)])
        {
            AfterInvalidKe = afterInvalidKe,
        };
    }

    /// <summary>The new IKE SA from the peer's response, or null with the peer's error (INVALID_SYNTAX when it does not fit).</summary>
    public NewIkeSa? Complete(OurIkeRekey ours, OpenedMessage response, IkeSaCrypto old, out NotifyPayload? error)
    {
        error = response.Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.IsError);
        if (error is not null)
            return null;
        error = NotifyPayload.Create(NotifyType.InvalidSyntax);
        var sa = response.Find<SecurityAssociationPayload>();
        var ke = response.Find<KeyExchangePayload>();
        var nonce = response.Find<NoncePayload>();
        if (sa is not { Proposals: [var chosen] } || ke is null || nonce is null || chosen.Protocol != ProtocolId.Ike || chosen.Spi.Length != 8
            || !chosen.Transforms.All(t => ours.Offered.Transforms.Any(o => o.Type == t.Type && o.Id == t.Id && o.KeyLength == t.KeyLength))
            || ke.Group != ours.KeyExchange.Group || !ImplementedTransforms.CanProtectIke(chosen))
            return null;
        ulong peerSpi = BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        if (peerSpi == 0 || !ours.KeyExchange.TryComputeSharedSecret(ke.Data.Span, out var sharedSecret, out _))
            return null;
        error = null;
        var nonceR = nonce.Data.ToArray();
        var crypto = Derive(old, chosen, sharedSecret, ours.NonceI, nonceR, ours.NewLocalSpi, peerSpi, localIsInitiator: true);
        CryptographicOperations.ZeroMemory(sharedSecret);
        return new NewIkeSa(crypto, ours.NewLocalSpi, peerSpi, true, ours.NonceI, nonceR);
    }

    private static IkeSaCrypto Derive(IkeSaCrypto old, Proposal selected, byte[] sharedSecret, byte[] nonceI, byte[] nonceR,
        ulong spiI, ulong spiR, bool localIsInitiator)
    {
        var encryption = selected.OfType(TransformType.Encryption).First();
        var encryptionAlgorithm = (EncryptionAlgorithm)encryption.Id;
        int keyBits = encryption.KeyLength ?? 0;
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        var prf = (PseudorandomFunction)selected.OfType(TransformType.PseudorandomFunction).First().Id;
        var keys = IkeKeySchedule.DeriveRekeyedIkeSaKeys(old.Prf, old.Keys.SkD, prf, sharedSecret, nonceI, nonceR,
            SpiBytes(spiI), SpiBytes(spiR), TransformSizes.Get(encryptionAlgorithm, keyBits).KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
        var fromInitiator = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEi, keys.SkAi);
        var fromResponder = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEr, keys.SkAr);
        var (inbound, outbound) = localIsInitiator ? (fromResponder, fromInitiator) : (fromInitiator, fromResponder);
        // No IKE_SA_INIT messages: AUTH is never computed again on a rekeyed SA.
        return new IkeSaCrypto(prf, keys, inbound, outbound, [], [], nonceI.ToArray(), nonceR.ToArray()) { Selected = selected };
    }

    /// <summary>Our IKE proposals in our order, the peer's KE group preferred when acceptable (as in IKE_SA_INIT).</summary>
    private Proposal? Select(SecurityAssociationPayload offered, KeyExchangeGroup peerGroup)
    {
        var supported = policy.IkeProposals.Select(ImplementedTransforms.Only).Select(p => p with
        {
            Transforms = [.. p.Transforms.Where(t => t.Type == TransformType.KeyExchange && t.Id == (ushort)peerGroup),
                .. p.Transforms.Where(t => !(t.Type == TransformType.KeyExchange && t.Id == (ushort)peerGroup))],
        }).ToList();
        return ProposalSelector.Select(offered, supported).Selected;
    }

    private byte[] NewNonce()
    {
        var nonce = new byte[Math.Max(options.NonceLength, NoncePayload.MinLength)];
        services.Random(nonce);
        return nonce;
    }

    private static byte[] SpiBytes(ulong spi)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, spi);
        return bytes;
    }

    private static IkeRekeyOutcome Error(NotifyPayload notify) => new([notify], null);
}
