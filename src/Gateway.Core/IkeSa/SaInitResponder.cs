using System.Security.Cryptography;
using Gateway.Core.Policy;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>What IKE_SA_INIT produced: a response (null: drop silently) and, when accepted, the new SA's keys.</summary>
internal sealed record SaInitOutcome(byte[]? Response, IkeSaCrypto? Crypto, NatState Nat,
    IReadOnlyCollection<SignatureHashAlgorithm>? PeerHashAlgorithms, string? Rejection)
{
    public bool Accepted => Crypto is not null;

    public static SaInitOutcome Reject(byte[]? response, string reason) => new(response, null, default, null, reason);
}

/// <summary>
/// The responder's IKE_SA_INIT (RFC 7296 §1.2): proposal selection in our configured order, the KE group check
/// (INVALID_KE_PAYLOAD naming our group, §1.3 — no state kept), our nonce and KE, NAT detection both ways, CERTREQ
/// for our trusted CAs, IKEV2_FRAGMENTATION_SUPPORTED when the peer sent it (RFC 7383), SIGNATURE_HASH_ALGORITHMS
/// (RFC 7427), and the key schedule.
/// </summary>
internal sealed class SaInitResponder(GatewayPolicy policy, IResponderServices services, ResponderOptions options)
{
    /// <summary>Hashes we accept in (and use for) method-14 signatures.</summary>
    public static readonly SignatureHashAlgorithm[] AnnouncedHashes =
        [SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512];

    public SaInitOutcome Handle(IkeMessage request, byte[] requestBytes, ulong responderSpi, System.Net.IPEndPoint local, System.Net.IPEndPoint remote)
    {
        var header = request.Header;
        var sa = request.Find<SecurityAssociationPayload>();
        var ke = request.Find<KeyExchangePayload>();
        var nonce = request.Find<NoncePayload>();
        if (sa is null || ke is null || nonce is null)
            return SaInitOutcome.Reject(null, "IKE_SA_INIT request without SA, KE or Ni");

        var selected = Select(sa, ke.Group);
        if (selected is null || !ImplementedTransforms.CanProtectIke(selected))
            return SaInitOutcome.Reject(ErrorResponse(header, NotifyPayload.Create(NotifyType.NoProposalChosen)), "no proposal chosen");
        var group = (KeyExchangeGroup)selected.OfType(TransformType.KeyExchange).First().Id;
        if (ke.Group != group)
            return SaInitOutcome.Reject(ErrorResponse(header, NotifyPayload.InvalidKe(group)), $"peer sent KE of {ke.Group}, we want {group}");

        using var exchange = KeyExchangeFactory.Create(group);
        if (!exchange.TryComputeSharedSecret(ke.Data.Span, out var sharedSecret, out _))
            return SaInitOutcome.Reject(null, "invalid KE value");

        var nonceR = new byte[Math.Max(options.NonceLength, NoncePayload.MinLength)];
        services.Random(nonceR);
        var nonceI = nonce.Data.ToArray();

        var payloads = new List<Payload>
        {
            new SecurityAssociationPayload([new Proposal(selected.Number, ProtocolId.Ike, default, selected.Transforms)]),
            new KeyExchangePayload(group, exchange.PublicKey),
            new NoncePayload(nonceR),
        };
        var nat = default(NatState);
        if (NatDetection.Offered(request))
        {
            nat = NatDetection.Evaluate(request, local, remote);
            payloads.AddRange(NatDetection.BuildResponseNotifies(header.InitiatorSpi, responderSpi, local, remote));
        }
        if (policy.CertificateAuthentication && policy.TrustedCas.Count > 0)
            payloads.Add(CertificateRequest(policy.TrustedCas));
        if (SkFragments.Negotiated(request, options))
            payloads.Add(NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported));
        payloads.Add(NotifyPayload.SignatureHashAlgorithms(AnnouncedHashes));

        var response = IkeMessage.Create(
            IkeHeader.Create(header.InitiatorSpi, responderSpi, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, 0), payloads).ToArray();

        var crypto = DeriveKeys(selected, sharedSecret, nonceI, nonceR, header.InitiatorSpi, responderSpi, requestBytes, response);
        CryptographicOperations.ZeroMemory(sharedSecret);

        IReadOnlyCollection<SignatureHashAlgorithm>? peerHashes = null;
        if (request.FindNotify(NotifyType.SignatureHashAlgorithms) is { } hashNotify && hashNotify.TryGetSignatureHashAlgorithms(out var list))
            peerHashes = list;
        return new SaInitOutcome(response, crypto, nat, peerHashes, null);
    }

    /// <summary>
    /// Our configured order decides; but when the peer's KE group is acceptable in a matching proposal we take it,
    /// saving the INVALID_KE round trip (as strongSwan does).
    /// </summary>
    private Proposal? Select(SecurityAssociationPayload offered, KeyExchangeGroup peerGroup)
    {
        var supported = policy.IkeProposals.Select(ImplementedTransforms.Only).ToList();
        var preferPeerGroup = supported.Select(p => PreferGroup(p, peerGroup)).ToList();
        var withPeerGroup = ProposalSelector.Select(offered, preferPeerGroup).Selected;
        if (withPeerGroup is not null && withPeerGroup.OfType(TransformType.KeyExchange).Any(t => t.Id == (ushort)peerGroup))
            return withPeerGroup;
        return ProposalSelector.Select(offered, supported).Selected;
    }

    private static Proposal PreferGroup(Proposal p, KeyExchangeGroup group)
    {
        var transforms = p.Transforms.Where(t => t.Type == TransformType.KeyExchange && t.Id == (ushort)group)
            .Concat(p.Transforms.Where(t => !(t.Type == TransformType.KeyExchange && t.Id == (ushort)group))).ToList();
        return p with { Transforms = transforms };
    }

    private static IkeSaCrypto DeriveKeys(Proposal selected, byte[] sharedSecret, byte[] nonceI, byte[] nonceR, ulong spiI, ulong spiR,
        byte[] request, byte[] response)
    {
        var encryption = selected.OfType(TransformType.Encryption).First();
        var encryptionAlgorithm = (EncryptionAlgorithm)encryption.Id;
        int keyBits = encryption.KeyLength ?? 0;
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        var prf = (PseudorandomFunction)selected.OfType(TransformType.PseudorandomFunction).First().Id;
        var encryptionSizes = TransformSizes.Get(encryptionAlgorithm, keyBits);
        var integritySizes = TransformSizes.Get(integrity);
        var keys = IkeKeySchedule.DeriveIkeSaKeys(prf, sharedSecret, nonceI, nonceR, spiI, spiR,
            encryptionSizes.KeyMaterialSize, integritySizes.KeySize);
        var inbound = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEi, keys.SkAi);
        var outbound = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEr, keys.SkAr);
        return new IkeSaCrypto(prf, keys, inbound, outbound, request, response, nonceI, nonceR) { Selected = selected };
    }

    /// <summary>CERTREQ: SHA-1 of each CA's SubjectPublicKeyInfo (RFC 7296 §3.7).</summary>
    internal static CertificateRequestPayload CertificateRequest(IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> cas)
    {
        var data = new byte[cas.Count * CertificateRequestPayload.AuthorityHashLength];
        for (int i = 0; i < cas.Count; i++)
            SHA1.HashData(cas[i].PublicKey.ExportSubjectPublicKeyInfo(), data.AsSpan(i * CertificateRequestPayload.AuthorityHashLength));
        return new CertificateRequestPayload(CertificateEncoding.X509Signature, data);
    }

    /// <summary>An IKE_SA_INIT error response: responder SPI zero, since we keep no state (as strongSwan does).</summary>
    private static byte[] ErrorResponse(IkeHeader request, NotifyPayload notify) =>
        IkeMessage.Create(IkeHeader.Create(request.InitiatorSpi, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, 0), [notify]).ToArray();
}
