using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Core.Transport;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>A CREATE_CHILD_SA request of ours: the payloads and the secrets to finish it.</summary>
internal sealed record ChildOffer(uint Spi, byte[] Ni, IKeyExchange? Ke, IReadOnlyList<Payload> Payloads);

/// <summary>Everything that makes one IKE SA on the client side (to talk on an old SA after a rekey).</summary>
internal sealed record ClientIkeSa(ulong SpiI, ulong SpiR, ISkProtection In, ISkProtection Out, uint NextMessageId,
    bool WeAreOriginalInitiator, PseudorandomFunction Prf, IkeSaKeys Keys);

/// <summary>The keys of an IKE SA computed here straight from RFC 7296 §2.18 with HMAC-SHA-256 (not the library's schedule).</summary>
internal sealed record IndependentIkeKeys(byte[] Skeyseed, byte[] SkD, byte[] SkAi, byte[] SkAr, byte[] SkEi, byte[] SkEr);

// CREATE_CHILD_SA as a client does it: child rekeys (with and without PFS), new children, IKE SA rekeys, and the
// answering side for the gateway's own requests.
internal sealed partial class TestInitiator
{
    /// <summary>Whether we are the original initiator of the current IKE SA (false after the gateway rekeyed it).</summary>
    public bool WeAreOriginalInitiator { get; private set; } = true;

    public ClientIkeSa Current => new(SpiI, SpiR, _in!, _out!, NextMessageId, WeAreOriginalInitiator, Prf, Keys!);

    /// <summary>Talk on another IKE SA (e.g. the old one after a rekey); returns the one we left.</summary>
    public ClientIkeSa Use(ClientIkeSa sa)
    {
        var left = Current;
        (SpiI, SpiR, _in, _out, NextMessageId, WeAreOriginalInitiator, Prf, Keys) =
            (sa.SpiI, sa.SpiR, sa.In, sa.Out, sa.NextMessageId, sa.WeAreOriginalInitiator, sa.Prf, sa.Keys);
        return left;
    }

    // ---- child SAs we start ----

    public static byte[] SpiBytes(uint spi)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, spi);
        return bytes;
    }

    /// <summary>A CREATE_CHILD_SA request: a rekey of the child we receive on <paramref name="rekeySpi"/>, or a new child.</summary>
    public static ChildOffer OfferChild(string espProposal, uint spi, uint? rekeySpi, KeyExchangeGroup? pfs = null,
        KeyExchangeGroup? sendKeGroup = null, byte[]? nonce = null)
    {
        var esp = ProposalSyntax.Parse(espProposal, ProtocolId.Esp).Proposal!;
        var transforms = esp.Transforms.ToList();
        if (pfs is { } g)
            transforms.Add(Transform.KeyExchange(g));
        var ni = nonce ?? RandomNumberGenerator.GetBytes(32);
        var keGroup = sendKeGroup ?? pfs;
        var ke = keGroup is { } k ? KeyExchangeFactory.Create(k) : null;
        var payloads = new List<Payload>();
        if (rekeySpi is { } old)
            payloads.Add(NotifyPayload.CreateForChild(NotifyType.RekeySa, ProtocolId.Esp, old));
        payloads.Add(new SecurityAssociationPayload([esp with { Spi = SpiBytes(spi), Transforms = transforms }]));
        payloads.Add(new NoncePayload(ni));
        if (ke is not null)
            payloads.Add(new KeyExchangePayload(ke.Group, ke.PublicKey));
        payloads.Add(new TrafficSelectorPayload(true, [TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetwork)]));
        payloads.Add(new TrafficSelectorPayload(false, [TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetwork)]));
        return new ChildOffer(spi, ni, ke, payloads);
    }

    /// <summary>Child keys from a CREATE_CHILD_SA exchange: SK_d of the current IKE SA, [g^ir], Ni, Nr of that exchange.</summary>
    public ChildSaKeys ChildKeys(Proposal chosen, byte[] ni, byte[] nr, byte[] sharedSecret)
    {
        var encryption = chosen.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(chosen.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        var sizes = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0);
        return IkeKeySchedule.DeriveChildSaKeys(Prf, Keys!.SkD, sharedSecret, ni, nr, sizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
    }

    /// <summary>Sends the offer; on success derives the keys as the exchange initiator.</summary>
    public (Round Round, ChildSaKeys? Keys) CreateChild(ChildOffer offer)
    {
        var round = Request(ExchangeType.CreateChildSa, offer.Payloads);
        if (round.Find<SecurityAssociationPayload>() is not { } sa)
            return (round, null);
        var nr = round.Find<NoncePayload>()!.Data.ToArray();
        byte[] secret = [];
        if (offer.Ke is { } ke)
        {
            var theirs = round.Find<KeyExchangePayload>()!;
            Assert.Equal(ke.Group, theirs.Group);
            Assert.True(ke.TryComputeSharedSecret(theirs.Data.Span, out secret, out _));
        }
        return (round, ChildKeys(sa.Proposals.Single(), offer.Ni, nr, secret));
    }

    // ---- IKE SA rekey we start ----

    /// <summary>
    /// Rekeys the IKE SA (we become original initiator of the new one); on success checks the library's §2.18 keys
    /// against our own HMAC computation, switches to the new SA, and returns the old one (for its Delete).
    /// </summary>
    public (Round Round, ClientIkeSa? Old, IndependentIkeKeys? Independent) RekeyIkeSa(string ikeProposal, byte[]? nonce = null, ulong? newSpi = null)
    {
        var proposal = ProposalSyntax.Parse(ikeProposal, ProtocolId.Ike).Proposal!;
        ulong spiI = newSpi ?? (BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1);
        var group = (KeyExchangeGroup)proposal.OfType(TransformType.KeyExchange).First().Id;
        using var ke = KeyExchangeFactory.Create(group);
        var ni = nonce ?? RandomNumberGenerator.GetBytes(32);
        var round = Request(ExchangeType.CreateChildSa,
            [new SecurityAssociationPayload([proposal with { Spi = Spi64(spiI) }]), new NoncePayload(ni), new KeyExchangePayload(group, ke.PublicKey)]);
        if (round.Find<SecurityAssociationPayload>() is not { } sa)
            return (round, null, null);
        var chosen = sa.Proposals.Single();
        ulong spiR = BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        var nr = round.Find<NoncePayload>()!.Data.ToArray();
        Assert.True(ke.TryComputeSharedSecret(round.Find<KeyExchangePayload>()!.Data.Span, out var secret, out _));
        var (old, independent) = SwitchIkeSa(chosen, secret, ni, nr, spiI, spiR, weAreInitiator: true);
        return (round, old, independent);
    }

    /// <summary>Derives the new IKE SA (library and independently, and compares), then makes it current.</summary>
    private (ClientIkeSa Old, IndependentIkeKeys Independent) SwitchIkeSa(Proposal chosen, byte[] secret, byte[] ni, byte[] nr,
        ulong spiI, ulong spiR, bool weAreInitiator)
    {
        var encryption = chosen.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(chosen.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        var newPrf = (PseudorandomFunction)chosen.OfType(TransformType.PseudorandomFunction).Single().Id;
        int encLength = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0).KeyMaterialSize;
        int integLength = TransformSizes.Get(integrity).KeySize;
        var keys = IkeKeySchedule.DeriveRekeyedIkeSaKeys(Prf, Keys!.SkD, newPrf, secret, ni, nr, Spi64(spiI), Spi64(spiR), encLength, integLength);
        var independent = Independent(Keys.SkD, secret, ni, nr, spiI, spiR, encLength, integLength);
        Assert.Equal(independent.Skeyseed, keys.Skeyseed);
        Assert.Equal(independent.SkD, keys.SkD);
        Assert.Equal(independent.SkEi, keys.SkEi);
        Assert.Equal(independent.SkEr, keys.SkEr);
        Assert.Equal(independent.SkAi, keys.SkAi);
        Assert.Equal(independent.SkAr, keys.SkAr);
        var fromI = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEi, keys.SkAi);
        var fromR = SkProtectionFactory.Create((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0, integrity, keys.SkEr, keys.SkAr);
        var old = Use(new ClientIkeSa(spiI, spiR, weAreInitiator ? fromR : fromI, weAreInitiator ? fromI : fromR, 0, weAreInitiator, newPrf, keys));
        return (old, independent);
    }

    /// <summary>
    /// RFC 7296 §2.18 with HMAC-SHA-256 directly: SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr), then
    /// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | …} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
    /// </summary>
    public static IndependentIkeKeys Independent(byte[] oldSkD, byte[] secret, byte[] ni, byte[] nr, ulong spiI, ulong spiR, int encLength, int integLength)
    {
        var skeyseed = HMACSHA256.HashData(oldSkD, (byte[])[.. secret, .. ni, .. nr]);
        byte[] seed = [.. ni, .. nr, .. Spi64(spiI), .. Spi64(spiR)];
        var stream = new List<byte>();
        byte[] t = [];
        for (byte counter = 1; stream.Count < 32 + 2 * integLength + 2 * encLength; counter++)
        {
            t = HMACSHA256.HashData(skeyseed, (byte[])[.. t, .. seed, counter]);
            stream.AddRange(t);
        }
        var all = stream.ToArray();
        int pos = 0;
        byte[] Take(int n) { var r = all.AsSpan(pos, n).ToArray(); pos += n; return r; }
        return new IndependentIkeKeys(skeyseed, Take(32), Take(integLength), Take(integLength), Take(encLength), Take(encLength));
    }

    public static byte[] Spi64(ulong spi)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, spi);
        return bytes;
    }

    // ---- answering the gateway's requests ----

    /// <summary>Opens a request the gateway sent (it must be one) and answers it with <paramref name="answer"/>'s payloads.</summary>
    public IkeSaStep Answer(IkeDatagram request, Func<IkeHeader, IReadOnlyList<Payload>, IReadOnlyList<Payload>> answer)
    {
        var (header, payloads) = Open(request.Message);
        Assert.False(header.IsResponse);
        return Deliver(Seal(header.ExchangeType, header.MessageId, answer(header, payloads), response: true));
    }

    /// <summary>
    /// Answers the gateway's CREATE_CHILD_SA child rekey as a client does: takes its proposal, our SPI and nonce
    /// (optionally fixed, for collision tests), KE when it asked for PFS. Returns the step and the keys as we derive them.
    /// </summary>
    public (IkeSaStep Step, ChildSaKeys Keys, uint OurSpi, byte[] Ni, byte[] Nr) AnswerChildRekey(IkeDatagram request, uint ourSpi, byte[]? nonce = null)
    {
        ChildSaKeys? keys = null;
        byte[] ni = [], nr = nonce ?? RandomNumberGenerator.GetBytes(32);
        var step = Answer(request, (header, payloads) =>
        {
            Assert.Equal(ExchangeType.CreateChildSa, header.ExchangeType);
            Assert.NotNull(payloads.OfType<NotifyPayload>().SingleOrDefault(n => n.NotifyType == NotifyType.RekeySa));
            var offered = payloads.OfType<SecurityAssociationPayload>().Single().Proposals.Single();
            ni = payloads.OfType<NoncePayload>().Single().Data.ToArray();
            byte[] secret = [];
            var response = new List<Payload> { new SecurityAssociationPayload([offered with { Spi = SpiBytes(ourSpi) }]), new NoncePayload(nr) };
            if (payloads.OfType<KeyExchangePayload>().SingleOrDefault() is { } theirKe)
            {
                using var ke = KeyExchangeFactory.Create(theirKe.Group);
                Assert.True(ke.TryComputeSharedSecret(theirKe.Data.Span, out secret, out _));
                response.Add(new KeyExchangePayload(ke.Group, ke.PublicKey));
            }
            keys = ChildKeys(offered, ni, nr, secret);
            response.AddRange(payloads.OfType<TrafficSelectorPayload>());
            return response;
        });
        return (step, keys!, ourSpi, ni, nr);
    }

    /// <summary>Answers the gateway's IKE SA rekey; switches to the new SA (the gateway is its original initiator).</summary>
    public (IkeSaStep Step, ClientIkeSa Old) AnswerIkeRekey(IkeDatagram request, ulong ourNewSpi, byte[]? nonce = null)
    {
        Proposal? offered = null;
        byte[] ni = [], nr = nonce ?? RandomNumberGenerator.GetBytes(32), secret = [];
        var step = Answer(request, (header, payloads) =>
        {
            offered = payloads.OfType<SecurityAssociationPayload>().Single().Proposals.Single();
            Assert.Equal(ProtocolId.Ike, offered.Protocol);
            ni = payloads.OfType<NoncePayload>().Single().Data.ToArray();
            var theirKe = payloads.OfType<KeyExchangePayload>().Single();
            using var ke = KeyExchangeFactory.Create(theirKe.Group);
            Assert.True(ke.TryComputeSharedSecret(theirKe.Data.Span, out secret, out _));
            return [new SecurityAssociationPayload([offered with { Spi = Spi64(ourNewSpi) }]), new NoncePayload(nr), new KeyExchangePayload(ke.Group, ke.PublicKey)];
        });
        ulong gatewaySpi = BinaryPrimitives.ReadUInt64BigEndian(offered!.Spi.Span);
        var (old, _) = SwitchIkeSa(offered, secret, ni, nr, gatewaySpi, ourNewSpi, weAreInitiator: false);
        return (step, old);
    }
}
