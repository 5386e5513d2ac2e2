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

    /// <summary>Seals what we send (SK_ei, SK_ai when we are the SA's original initiator).</summary>
    public ISkProtection Outbound { get; }

    /// <summary>Opens what the gateway sends.</summary>
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

        var r = nonceR;
        var derived = Protect(selected, (prf, encLength, integLength) => IkeKeySchedule.DeriveIkeSaKeys(prf, secret, nonceI, r,
            response.Header.InitiatorSpi, response.Header.ResponderSpi, encLength, integLength), weAreInitiator: true);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        problem = null;
        return derived;
    }

    /// <summary>
    /// The SA that replaces <paramref name="old"/> after a CREATE_CHILD_SA rekey (RFC 7296 §2.18): SKEYSEED from the old
    /// PRF and SK_d, keys over the rekey's Ni | Nr | SPIi | SPIr, where SPIi is the rekey initiator's new SPI.
    /// </summary>
    public static InitiatorSa Rekeyed(InitiatorSa old, Proposal selected, byte[] secret, byte[] nonceI, byte[] nonceR,
        ulong spiI, ulong spiR, bool weAreInitiator) =>
        Protect(selected, (prf, encLength, integLength) => IkeKeySchedule.DeriveRekeyedIkeSaKeys(old.Prf, old.Keys.SkD, prf, secret,
            nonceI, nonceR, Spi64(spiI), Spi64(spiR), encLength, integLength), weAreInitiator);

    /// <summary>Keys of the selected suite (<paramref name="derive"/> gets the PRF and key lengths) and the SK protections of both directions.</summary>
    private static InitiatorSa Protect(Proposal selected, Func<PseudorandomFunction, int, int, IkeSaKeys> derive, bool weAreInitiator)
    {
        var encryption = selected.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        var prf = (PseudorandomFunction)selected.OfType(TransformType.PseudorandomFunction).Single().Id;
        var encSizes = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0);
        var keys = derive(prf, encSizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
        var fromI = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEi, keys.SkAi);
        var fromR = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEr, keys.SkAr);
        return weAreInitiator ? new InitiatorSa(selected, prf, keys, fromI, fromR) : new InitiatorSa(selected, prf, keys, fromR, fromI);
    }

    public static byte[] Spi64(ulong spi)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, spi);
        return bytes;
    }

    public static byte[] Spi32(uint spi)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, spi);
        return bytes;
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
