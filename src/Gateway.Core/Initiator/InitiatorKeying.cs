using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>The initiator's view of an IKE SA after IKE_SA_INIT. <see cref="Dispose"/> zeroes the keys.</summary>
internal sealed class InitiatorSa : IDisposable
{
    public InitiatorSa(Proposal selected, PseudorandomFunction prf, IkeSaKeys keys, ISkProtection outbound, ISkProtection inbound)
    {
        Selected = selected;
        Prf = prf;
        Keys = keys;
        Outbound = outbound;
        Inbound = inbound;
    }

    public Proposal Selected { get; }
    public PseudorandomFunction Prf { get; }
    public IkeSaKeys Keys { get; }

    /// <summary>Seals initiator → responder (SK_ei, SK_ai).</summary>
    public ISkProtection Outbound { get; }

    /// <summary>Opens responder → initiator (SK_er, SK_ar).</summary>
    public ISkProtection Inbound { get; }

    public void Dispose()
    {
        Keys.Dispose();
        Outbound.Dispose();
        Inbound.Dispose();
    }

    public override string ToString() => $"InitiatorSa({ProposalSyntax.Format(Selected)}; keys redacted)";
}

/// <summary>
/// IKE_SA_INIT from the initiator's side (RFC 7296 §1.2, §2.10, §2.23): the request's payloads and the keys from the
/// response. Shared by the product initiator and the responder tests' initiator, so both check answers the same way.
/// </summary>
internal static class InitiatorKeying
{
    /// <summary>SA, KE, Ni, NAT-D (our <paramref name="local"/> and the <paramref name="gateway"/>), then the announcements.</summary>
    public static List<Payload> SaInitPayloads(IReadOnlyList<Proposal> proposals, KeyExchangeGroup group, byte[] publicKey,
        byte[] nonce, ulong spiI, IPEndPoint local, IPEndPoint gateway, bool fragmentation, bool signatureHashes, bool redirectSupport)
    {
        var payloads = new List<Payload>
        {
            new SecurityAssociationPayload(proposals),
            new KeyExchangePayload(group, publicKey),
            new NoncePayload(nonce),
            NotifyPayload.NatDetection(true, NotifyPayload.ComputeNatDetectionHash(spiI, 0, local.Address, (ushort)local.Port)),
            NotifyPayload.NatDetection(false, NotifyPayload.ComputeNatDetectionHash(spiI, 0, gateway.Address, (ushort)gateway.Port)),
        };
        if (fragmentation)
            payloads.Add(NotifyPayload.Create(NotifyType.Ikev2FragmentationSupported));
        if (signatureHashes)
            payloads.Add(NotifyPayload.SignatureHashAlgorithms([SignatureHashAlgorithm.Sha2_256, SignatureHashAlgorithm.Sha2_384, SignatureHashAlgorithm.Sha2_512]));
        if (redirectSupport)
            payloads.Add(NotifyPayload.Create(NotifyType.RedirectSupported));
        return payloads;
    }

    /// <summary>
    /// Derives the SA from a successful IKE_SA_INIT response. Null with <paramref name="problem"/> when the response
    /// is not acceptable: not exactly one proposal, a proposal we did not offer, a KE of another group, a bad public value.
    /// </summary>
    public static InitiatorSa? Derive(IkeMessage response, IReadOnlyList<Proposal> offered, IKeyExchange ke, byte[] nonceI,
        out byte[] nonceR, out string? problem)
    {
        nonceR = [];
        if (response.Find<SecurityAssociationPayload>() is not { Proposals.Count: 1 } sa)
            return Fail("no single selected proposal", out problem);
        var selected = sa.Proposals[0];
        if (!offered.Any(o => Offers(o, selected)))
            return Fail($"gateway selected a proposal we did not offer: {ProposalSyntax.Format(selected)}", out problem);
        if (response.Find<KeyExchangePayload>() is not { } theirKe || theirKe.Group != ke.Group)
            return Fail("KE payload missing or of another group", out problem);
        if (response.Find<NoncePayload>() is not { } nr || nr.Data.Length is < 16 or > 256)
            return Fail("nonce missing or of bad length", out problem);
        if (!ke.TryComputeSharedSecret(theirKe.Data.Span, out var secret, out var error))
            return Fail($"gateway's KE value rejected: {error}", out problem);
        nonceR = nr.Data.ToArray();

        var encryption = selected.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        var prf = (PseudorandomFunction)selected.OfType(TransformType.PseudorandomFunction).Single().Id;
        var encSizes = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0);
        var keys = IkeKeySchedule.DeriveIkeSaKeys(prf, secret, nonceI, nonceR, response.Header.InitiatorSpi,
            response.Header.ResponderSpi, encSizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        var outbound = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEi, keys.SkAi);
        var inbound = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEr, keys.SkAr);
        problem = null;
        return new InitiatorSa(selected, prf, keys, outbound, inbound);
    }

    /// <summary>Whether every transform of <paramref name="selected"/> appears in <paramref name="offer"/> (RFC 7296 §3.3.6).</summary>
    public static bool Offers(Proposal offer, Proposal selected) =>
        offer.Protocol == selected.Protocol &&
        selected.Transforms.All(t => offer.Transforms.Any(o => o.Type == t.Type && o.Id == t.Id && o.KeyLength == t.KeyLength));

    /// <summary>True when the gateway's NATD_DESTINATION_IP hash does not match our address: a NAT is between us.</summary>
    public static bool BehindNat(IkeMessage response, IPEndPoint local)
    {
        var expected = NotifyPayload.ComputeNatDetectionHash(response.Header.InitiatorSpi, response.Header.ResponderSpi,
            local.Address, (ushort)local.Port);
        var hashes = response.Payloads.OfType<NotifyPayload>().Where(n => n.NotifyType == NotifyType.NatDetectionDestinationIp).ToList();
        return hashes.Count > 0 && !hashes.Any(h => h.Data.Span.SequenceEqual(expected));
    }

    private static InitiatorSa? Fail(string text, out string? problem)
    {
        problem = text;
        return null;
    }
}
