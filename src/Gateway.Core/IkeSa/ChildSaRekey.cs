using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Gateway.Core.DataPlane;
using Gateway.Core.Policy;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>Where a child SA stands in its life.</summary>
internal enum ChildSaLifeState
{
    /// <summary>In use; may be rekeyed.</summary>
    Active,

    /// <summary>Replaced by a rekey the peer started (or won): kept for inbound until the peer deletes it.</summary>
    Replaced,

    /// <summary>Replaced by our rekey: we asked the peer to delete it; it goes when the peer answers.</summary>
    Deleting,
}

/// <summary>What we need to rekey a child SA later: its algorithms, both sides' selectors, its state.</summary>
internal sealed class ChildSaLife(uint inboundSpi, Proposal selected, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<TrafficSelector> remoteTs)
{
    public uint InboundSpi { get; } = inboundSpi;

    /// <summary>The negotiated ESP transforms (a KE transform when the SA was made with PFS).</summary>
    public Proposal Selected { get; } = selected;

    /// <summary>Our side's selectors (the protected subnets as narrowed).</summary>
    public IReadOnlyList<TrafficSelector> LocalTs { get; } = localTs;

    /// <summary>The peer's side (its virtual addresses).</summary>
    public IReadOnlyList<TrafficSelector> RemoteTs { get; } = remoteTs;

    public ChildSaLifeState State { get; set; } = ChildSaLifeState.Active;

    /// <summary>Our rekey of this SA, queued or on the wire.</summary>
    public OurChildRekey? OurRekey { get; set; }

    /// <summary>The peer's rekey of this SA that we answered while ours was on the wire (RFC 7296 §2.8.1).</summary>
    public PeerRekey? Collision { get; set; }

    public bool SoftBytesReached { get; set; }

    public KeyExchangeGroup? PfsGroup =>
        Selected.OfType(TransformType.KeyExchange).Where(t => t.Id != 0).Select(t => (KeyExchangeGroup?)(KeyExchangeGroup)t.Id).FirstOrDefault();
}

/// <summary>A rekey the peer started, as far as collision resolution needs it: the SA it made and its nonces.</summary>
internal sealed record PeerRekey(uint NewInboundSpi, byte[] NonceI, byte[] NonceR);

/// <summary>Our CREATE_CHILD_SA rekey in progress: what we offered and the secrets to finish it.</summary>
internal sealed class OurChildRekey(uint oldInboundSpi, uint newInboundSpi, byte[] nonceI, IKeyExchange? keyExchange,
    Proposal offered, IReadOnlyList<Payload> payloads)
{
    public uint OldInboundSpi { get; } = oldInboundSpi;
    public uint NewInboundSpi { get; } = newInboundSpi;
    public byte[] NonceI { get; } = nonceI;
    public IKeyExchange? KeyExchange { get; } = keyExchange;
    public Proposal Offered { get; } = offered;
    public IReadOnlyList<Payload> Payloads { get; } = payloads;

    /// <summary>Set once the request went out (before that, a colliding peer rekey simply cancels ours).</summary>
    public bool Sent { get; set; }

    /// <summary>Whether this attempt already follows an INVALID_KE_PAYLOAD (we retry once).</summary>
    public bool AfterInvalidKe { get; init; }
}

/// <summary>A child SA made by CREATE_CHILD_SA: the payloads to answer with (or the error), and what to keep.</summary>
internal sealed record ChildCreation(IReadOnlyList<Payload> Payloads, ChildSaInstallation? Installation, ChildSaLife? Life,
    byte[] NonceI, byte[] NonceR, NotifyPayload? Error = null)
{
    public static ChildCreation Failed(NotifyPayload error) => new([error], null, null, [], [], error);
}

/// <summary>
/// Child SAs by CREATE_CHILD_SA (RFC 7296 §1.3.1–1.3.3, §2.17), both roles: as responder for a new child or a rekey
/// the peer started; as initiator for our rekeys. ESP proposals in our order; a PFS key exchange is accepted in any
/// group we accept for IKE (preferring the peer's KE group, to spare a round trip), and must match the chosen proposal
/// (else INVALID_KE_PAYLOAD). KEYMAT = prf+(SK_d, [g^ir new |] Ni | Nr), Ni/Nr of this exchange; the "initiator" keys
/// protect traffic from the initiator of this exchange, whichever side that is.
/// </summary>
internal sealed class ChildSaCreator(GatewayPolicy policy, IResponderServices services, ResponderOptions options)
{
    public ChildCreation Respond(OpenedMessage request, IkeSaCrypto crypto, IReadOnlyList<IPAddress> virtualAddresses, ChildSaPath path)
    {
        var sa = request.Find<SecurityAssociationPayload>();
        var nonce = request.Find<NoncePayload>();
        var tsi = request.All<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = request.All<TrafficSelectorPayload>().FirstOrDefault(t => !t.IsInitiator);
        if (sa is null || nonce is null || tsi is null || tsr is null)
            return ChildCreation.Failed(NotifyPayload.Create(NotifyType.InvalidSyntax));
        var ke = request.Find<KeyExchangePayload>();

        var selected = ProposalSelector.Select(sa, Acceptable(ke?.Group)).Selected;
        if (selected?.Spi32 is not { } peerSpi)
            return ChildCreation.Failed(NotifyPayload.Create(NotifyType.NoProposalChosen));
        var group = GroupOf(selected);
        if (group is { } g && ke?.Group != g)
            return ChildCreation.Failed(NotifyPayload.InvalidKe(g));

        var narrowedTsi = TrafficSelectorNarrowing.Initiator(tsi, virtualAddresses);
        var narrowedTsr = TrafficSelectorNarrowing.Responder(tsr, policy.ProtectedSubnets);
        if (narrowedTsi.Count == 0 || narrowedTsr.Count == 0)
            return ChildCreation.Failed(NotifyPayload.Create(NotifyType.TsUnacceptable));

        byte[] sharedSecret = [];
        KeyExchangePayload? ourKe = null;
        if (group is { } pfs)
        {
            using var exchange = KeyExchangeFactory.Create(pfs);
            if (!exchange.TryComputeSharedSecret(ke!.Data.Span, out sharedSecret, out _))
                return ChildCreation.Failed(NotifyPayload.Create(NotifyType.InvalidSyntax));
            ourKe = new KeyExchangePayload(pfs, exchange.PublicKey);
        }
        var nonceI = nonce.Data.ToArray();
        var nonceR = NewNonce();
        uint ourSpi = services.AllocateEspSpi();
        var installation = Install(crypto, selected, sharedSecret, nonceI, nonceR, ourSpi, peerSpi, weInitiated: false, path,
            TrafficSelectorNarrowing.HostAddresses(narrowedTsi));
        CryptographicOperations.ZeroMemory(sharedSecret);

        var payloads = new List<Payload>
        {
            new SecurityAssociationPayload([new Proposal(selected.Number, ProtocolId.Esp, SpiBytes(ourSpi), selected.Transforms)]),
            new NoncePayload(nonceR),
        };
        if (ourKe is not null)
            payloads.Add(ourKe);
        payloads.Add(new TrafficSelectorPayload(true, narrowedTsi));
        payloads.Add(new TrafficSelectorPayload(false, narrowedTsr));
        return new ChildCreation(payloads, installation, new ChildSaLife(ourSpi, selected, narrowedTsr, narrowedTsi), nonceI, nonceR);
    }

    /// <summary>Our CREATE_CHILD_SA request rekeying <paramref name="old"/> (RFC 7296 §1.3.3), same algorithms and selectors.</summary>
    public OurChildRekey Offer(ChildSaLife old, KeyExchangeGroup? pfsGroup, bool afterInvalidKe = false)
    {
        var transforms = old.Selected.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList();
        IKeyExchange? exchange = null;
        if (pfsGroup is { } g)
        {
            transforms.Add(new Transform(TransformType.KeyExchange, (ushort)g, []));
            exchange = KeyExchangeFactory.Create(g);
        }
        uint newSpi = services.AllocateEspSpi();
        var offered = new Proposal(1, ProtocolId.Esp, SpiBytes(newSpi), transforms);
        var nonceI = NewNonce();
        var payloads = new List<Payload>
        {
            NotifyPayload.CreateForChild(NotifyType.RekeySa, ProtocolId.Esp, old.InboundSpi),
            new SecurityAssociationPayload([offered]),
            new NoncePayload(nonceI),
        };
        if (exchange is not null)
            payloads.Add(new KeyExchangePayload(exchange.Group, exchange.PublicKey));
        // In an exchange we start, TSi is our side and TSr the peer's.
        payloads.Add(new TrafficSelectorPayload(true, old.LocalTs));
        payloads.Add(new TrafficSelectorPayload(false, old.RemoteTs));
        return new OurChildRekey(old.InboundSpi, newSpi, nonceI, exchange, offered, payloads) { AfterInvalidKe = afterInvalidKe };
    }

    /// <summary>
    /// Finishes our rekey with the peer's response: the new SA, or the peer's error (or INVALID_SYNTAX when the
    /// response does not fit what we offered). The caller releases the new SPI on failure.
    /// </summary>
    public ChildCreation Complete(OurChildRekey ours, OpenedMessage response, IkeSaCrypto crypto, ChildSaPath path)
    {
        if (response.Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.IsError) is { } error)
            return ChildCreation.Failed(error);
        var sa = response.Find<SecurityAssociationPayload>();
        var nonce = response.Find<NoncePayload>();
        var tsi = response.All<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = response.All<TrafficSelectorPayload>().FirstOrDefault(t => !t.IsInitiator);
        var invalid = ChildCreation.Failed(NotifyPayload.Create(NotifyType.InvalidSyntax));
        if (sa is not { Proposals: [var chosen] } || nonce is null || tsi is null || tsr is null)
            return invalid;
        if (chosen.Protocol != ProtocolId.Esp || chosen.Spi32 is not { } peerSpi
            || !chosen.Transforms.All(t => ours.Offered.Transforms.Any(o => o.Type == t.Type && o.Id == t.Id && o.KeyLength == t.KeyLength)))
            return invalid;

        byte[] sharedSecret = [];
        if (ours.KeyExchange is { } exchange)
        {
            var ke = response.Find<KeyExchangePayload>();
            if (GroupOf(chosen) != exchange.Group || ke?.Group != exchange.Group
                || !exchange.TryComputeSharedSecret(ke.Data.Span, out sharedSecret, out _))
                return invalid;
        }
        var nonceR = nonce.Data.ToArray();
        var remoteTs = tsr.Selectors;
        var installation = Install(crypto, chosen, sharedSecret, ours.NonceI, nonceR, ours.NewInboundSpi, peerSpi, weInitiated: true, path,
            TrafficSelectorNarrowing.HostAddresses(remoteTs));
        CryptographicOperations.ZeroMemory(sharedSecret);
        return new ChildCreation([], installation, new ChildSaLife(ours.NewInboundSpi, chosen, tsi.Selectors, remoteTs), ours.NonceI, nonceR);
    }

    /// <summary>The life of the first child (made in IKE_AUTH), read back from the response payloads that created it.</summary>
    public static ChildSaLife? FirstChildLife(IReadOnlyList<Payload> responsePayloads, ChildSaInstallation sa)
    {
        var chosen = responsePayloads.OfType<SecurityAssociationPayload>().FirstOrDefault()?.Proposals.FirstOrDefault();
        var tsi = responsePayloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = responsePayloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => !t.IsInitiator);
        return chosen is null || tsi is null || tsr is null ? null : new ChildSaLife(sa.InboundSpi, chosen, tsr.Selectors, tsi.Selectors);
    }

    /// <summary>
    /// Our ESP proposals in our order; one without a KE transform also allows PFS with the groups we accept for IKE
    /// (the peer's group first). The PFS variant comes first: when the peer offers both, we take forward secrecy.
    /// </summary>
    private List<Proposal> Acceptable(KeyExchangeGroup? peerGroup)
    {
        var groups = policy.IkeProposals.SelectMany(p => ImplementedTransforms.Only(p).OfType(TransformType.KeyExchange))
            .Where(t => t.Id != 0).Select(t => t.Id).Distinct()
            .OrderBy(id => peerGroup is { } g && id == (ushort)g ? 0 : 1)
            .Select(id => new Transform(TransformType.KeyExchange, id, [])).ToList();
        var result = new List<Proposal>();
        foreach (var configured in policy.EspProposals.Where(p => p.Protocol == ProtocolId.Esp).Select(ImplementedTransforms.Only))
        {
            var ownGroups = configured.OfType(TransformType.KeyExchange).Where(t => t.Id != 0).ToList();
            if (ownGroups.Count > 0)
            {
                var preferred = ownGroups.OrderBy(t => peerGroup is { } g && t.Id == (ushort)g ? 0 : 1);
                result.Add(configured with { Transforms = [.. configured.Transforms.Where(t => t.Type != TransformType.KeyExchange), .. preferred] });
                continue;
            }
            var plain = configured.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList();
            if (groups.Count > 0)
                result.Add(configured with { Transforms = [.. plain, .. groups] });
            result.Add(configured with { Transforms = plain });
        }
        return result;
    }

    private static KeyExchangeGroup? GroupOf(Proposal p) =>
        p.OfType(TransformType.KeyExchange).Where(t => t.Id != 0).Select(t => (KeyExchangeGroup?)(KeyExchangeGroup)t.Id).FirstOrDefault();

    private byte[] NewNonce()
    {
        var nonce = new byte[Math.Max(options.NonceLength, NoncePayload.MinLength)];
        services.Random(nonce);
        return nonce;
    }

    private static byte[] SpiBytes(uint spi)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, spi);
        return bytes;
    }

    private static ChildSaInstallation Install(IkeSaCrypto crypto, Proposal selected, byte[] sharedSecret, byte[] nonceI, byte[] nonceR,
        uint ourSpi, uint peerSpi, bool weInitiated, ChildSaPath path, IReadOnlyList<IPAddress> remoteInner)
    {
        var encryption = selected.OfType(TransformType.Encryption).First();
        var encryptionAlgorithm = (EncryptionAlgorithm)encryption.Id;
        int keyBits = encryption.KeyLength ?? 0;
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        bool esn = selected.OfType(TransformType.ExtendedSequenceNumbers).Any(t => t.Id == (ushort)ExtendedSequenceNumbers.Yes);
        var encryptionSizes = TransformSizes.Get(encryptionAlgorithm, keyBits);
        using var keys = IkeKeySchedule.DeriveChildSaKeys(crypto.Prf, crypto.Keys.SkD, sharedSecret, nonceI, nonceR,
            encryptionSizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
        // The exchange initiator's keys protect what it sends: inbound for us when the peer started the exchange.
        var (inEnc, inInt, outEnc, outInt) = weInitiated
            ? (keys.EncryptionResponderToInitiator, keys.IntegrityResponderToInitiator, keys.EncryptionInitiatorToResponder, keys.IntegrityInitiatorToResponder)
            : (keys.EncryptionInitiatorToResponder, keys.IntegrityInitiatorToResponder, keys.EncryptionResponderToInitiator, keys.IntegrityResponderToInitiator);
        return new ChildSaInstallation(
            InboundSpi: ourSpi,
            OutboundSpi: peerSpi,
            Encryption: encryptionAlgorithm,
            EncryptionKeyBits: keyBits != 0 ? keyBits : encryptionSizes.KeySize * 8,
            Integrity: integrity,
            ExtendedSequenceNumbers: esn,
            InboundEncryptionKey: inEnc.ToArray(),
            InboundIntegrityKey: inInt.ToArray(),
            OutboundEncryptionKey: outEnc.ToArray(),
            OutboundIntegrityKey: outInt.ToArray(),
            Local: path.Local,
            Remote: path.Remote,
            UdpEncapsulated: path.UdpEncapsulated,
            RemoteInnerAddresses: remoteInner);
    }
}
