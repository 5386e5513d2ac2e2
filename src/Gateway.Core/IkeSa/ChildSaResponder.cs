using System.Buffers.Binary;
using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.Policy;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>The first child SA's part of the IKE_AUTH response, and the SA to install when one was created.</summary>
internal sealed record ChildOutcome(IReadOnlyList<Payload> Payloads, ChildSaInstallation? Installation);

/// <summary>Where the child SA's traffic goes: the endpoints of the IKE_AUTH request and whether ESP is in UDP.</summary>
internal sealed record ChildSaPath(IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated);

/// <summary>
/// Creates the first child SA (RFC 7296 §1.2, §2.17): ESP proposal in our order, TS narrowing, our SPI from the
/// services, KEYMAT = prf+(SK_d, Ni | Nr). Failures concern the child only (the IKE SA stays): NO_PROPOSAL_CHOSEN,
/// TS_UNACCEPTABLE.
/// </summary>
internal sealed class ChildSaResponder(GatewayPolicy policy, IResponderServices services)
{
    public ChildOutcome Create(ChildSaRequest request, IReadOnlyList<IPAddress> virtualAddresses, IkeSaCrypto crypto, ChildSaPath path)
    {
        if (request.Sa is null || request.Tsi is null || request.Tsr is null)
            return new ChildOutcome([], null); // childless (RFC 6023) or incomplete: nothing to create

        // The first child gets its keys from SK_d without a key exchange: KE transforms in IKE_AUTH are ignored on
        // both sides (RFC 7296 §1.2), they matter for CREATE_CHILD_SA only.
        var configured = policy.EspProposals.Where(p => p.Protocol == ProtocolId.Esp)
            .Select(p => WithoutKeyExchange(ImplementedTransforms.Only(p))).ToList();
        var offered = request.Sa.Proposals.Select(WithoutKeyExchange).ToList();
        var selected = ProposalSelector.Select(offered, configured).Selected;
        if (selected?.Spi32 is not { } peerSpi)
            return Error(NotifyType.NoProposalChosen);

        var tsi = TrafficSelectorNarrowing.Initiator(request.Tsi, virtualAddresses);
        var tsr = TrafficSelectorNarrowing.Responder(request.Tsr, policy.ProtectedSubnets);
        if (tsi.Count == 0 || tsr.Count == 0)
            return Error(NotifyType.TsUnacceptable);

        var encryption = selected.OfType(TransformType.Encryption).First();
        var encryptionAlgorithm = (EncryptionAlgorithm)encryption.Id;
        int keyBits = encryption.KeyLength ?? 0;
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        bool esn = selected.OfType(TransformType.ExtendedSequenceNumbers).Any(t => t.Id == (ushort)ExtendedSequenceNumbers.Yes);
        var encryptionSizes = TransformSizes.Get(encryptionAlgorithm, keyBits);
        var integritySizes = TransformSizes.Get(integrity);

        uint ourSpi = services.AllocateEspSpi();
        using var keys = IkeKeySchedule.DeriveChildSaKeys(crypto.Prf, crypto.Keys.SkD, [], crypto.NonceI, crypto.NonceR,
            encryptionSizes.KeyMaterialSize, integritySizes.KeySize);
        var installation = new ChildSaInstallation(
            InboundSpi: ourSpi,
            OutboundSpi: peerSpi,
            Encryption: encryptionAlgorithm,
            EncryptionKeyBits: keyBits != 0 ? keyBits : encryptionSizes.KeySize * 8,
            Integrity: integrity,
            ExtendedSequenceNumbers: esn,
            InboundEncryptionKey: keys.EncryptionInitiatorToResponder.ToArray(),
            InboundIntegrityKey: keys.IntegrityInitiatorToResponder.ToArray(),
            OutboundEncryptionKey: keys.EncryptionResponderToInitiator.ToArray(),
            OutboundIntegrityKey: keys.IntegrityResponderToInitiator.ToArray(),
            Local: path.Local,
            Remote: path.Remote,
            UdpEncapsulated: path.UdpEncapsulated,
            RemoteInnerAddresses: TrafficSelectorNarrowing.HostAddresses(tsi));

        var spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, ourSpi);
        return new ChildOutcome(
        [
            new SecurityAssociationPayload([new Proposal(selected.Number, ProtocolId.Esp, spiBytes, selected.Transforms)]),
            new TrafficSelectorPayload(true, tsi),
            new TrafficSelectorPayload(false, tsr),
        ], installation);
    }

    private static Proposal WithoutKeyExchange(Proposal p) =>
        p with { Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList() };

    private static ChildOutcome Error(NotifyType type) => new([NotifyPayload.Create(type)], null);
}
