using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Core.Transport;
using Gateway.Crypto.Auth;
using Gateway.Crypto.Eap;
using Gateway.Crypto.KeyExchange;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>One request/response round: what the responder did, and the decrypted answer (null when none).</summary>
internal sealed record Round(IkeSaStep Step, byte[] Request, IReadOnlyList<Payload>? Response)
{
    public IEnumerable<IkeSaEvent> Events => Step.Events;

    public NotifyPayload? Notify(NotifyType type) =>
        Response?.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == type);

    public T? Find<T>() where T : Payload => Response?.OfType<T>().FirstOrDefault();
}

/// <summary>
/// An IKEv2 initiator for tests, speaking to <see cref="IkeSaResponder"/> through the codec and crypto libraries the
/// way a real client does: it derives its own keys, seals and opens SK itself, and checks the gateway's AUTH
/// (signature with the gateway certificate, PSK, or MSK) before trusting a response.
/// </summary>
internal sealed partial class TestInitiator : IDisposable
{
    // How a message reaches the gateway: straight into a responder, or (actor tests) through the ingress.
    private readonly Func<IkeDatagram, DateTime, IkeSaStep> _deliver;
    private ISkProtection? _out;
    private ISkProtection? _in;

    public TestInitiator(IkeSaResponder responder, IPEndPoint? client = null, IPEndPoint? gateway = null)
        : this((datagram, now) => responder.Handle(new MessageReceived(datagram, now)), client, gateway)
    {
    }

    /// <param name="deliver">Hands a datagram to the gateway and returns what it sent back (as a step).</param>
    public TestInitiator(Func<IkeDatagram, DateTime, IkeSaStep> deliver, IPEndPoint? client = null, IPEndPoint? gateway = null)
    {
        _deliver = deliver;
        Client = client ?? new IPEndPoint(IPAddress.Parse("192.0.2.10"), 500);
        Gateway = gateway ?? new IPEndPoint(IPAddress.Parse("198.51.100.1"), 500);
        SpiI = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
    }

    public IPEndPoint Client { get; set; }
    public IPEndPoint Gateway { get; set; }
    public DateTime Now { get; set; } = DateTime.UtcNow;
    public ulong SpiI { get; private set; }
    public ulong SpiR { get; private set; }
    public bool AnnounceSignatureHashes { get; init; } = true;

    /// <summary>Announce REDIRECT_SUPPORTED in IKE_SA_INIT (RFC 5685), as strongSwan does when configured to.</summary>
    public bool AnnounceRedirectSupport { get; init; }

    /// <summary>Send N(INITIAL_CONTACT) in the first IKE_AUTH request, as real clients do on their first SA.</summary>
    public bool SendInitialContact { get; init; } = true;

    /// <summary>How many N(COOKIE) answers IKE_SA_INIT got (each followed by a retry with the cookie, RFC 7296 §2.6).</summary>
    public int CookiesReceived { get; private set; }

    /// <summary>When set, our NATD_S_IP hash does not match our address, as behind a NAT.</summary>
    public bool PretendBehindNat { get; init; }

    /// <summary>Announce IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT (RFC 7383).</summary>
    public bool AnnounceFragmentation { get; init; }

    /// <summary>When set, our requests go out as SKF fragments carrying this many inner-payload bytes each.</summary>
    public int? FragmentContentSize { get; set; }

    public byte[] Ni { get; private set; } = [];
    public byte[] Nr { get; private set; } = [];
    public byte[] InitRequest { get; private set; } = [];
    public byte[] InitResponse { get; private set; } = [];
    public PseudorandomFunction Prf { get; private set; }
    public IkeSaKeys? Keys { get; private set; }
    public uint NextMessageId { get; set; } = 1;

    public IkeSaStep Deliver(ReadOnlyMemory<byte> message) =>
        _deliver(new IkeDatagram(message, Gateway, Client), Now);

    // ---- IKE_SA_INIT ----

    /// <summary>Sends IKE_SA_INIT; on success the keys are derived. Returns the parsed response (null: none sent).</summary>
    public (IkeSaStep Step, IkeMessage? Response) SaInit(string ikeProposal, KeyExchangeGroup? keGroup = null)
    {
        var proposal = ProposalSyntax.Parse(ikeProposal, ProtocolId.Ike).Proposal ?? throw new ArgumentException(ikeProposal);
        var group = keGroup ?? (KeyExchangeGroup)proposal.OfType(TransformType.KeyExchange).First().Id;
        using var ke = KeyExchangeFactory.Create(group);
        Ni = RandomNumberGenerator.GetBytes(32);
        var source = PretendBehindNat ? new IPEndPoint(IPAddress.Parse("10.0.0.2"), 500) : Client;
        // The product initiator's request (payloads and announcements), so both initiators speak IKE_SA_INIT the same way.
        var payloads = InitiatorKeying.SaInitPayloads([proposal], group, ke.PublicKey, Ni, SpiI, source, Gateway,
            AnnounceFragmentation, AnnounceSignatureHashes, AnnounceRedirectSupport);
        var initHeader = IkeHeader.Create(SpiI, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0);
        InitRequest = IkeMessage.Create(initHeader, payloads).ToArray();
        var step = Deliver(InitRequest);
        // A gateway under load answers N(COOKIE) only: send the same request again with that cookie first (§2.6).
        for (int retry = 0; retry < 2 && step.Send.Count > 0; retry++)
        {
            var answer = IkeMessage.Parse(step.Send[0].Message.Span).Value;
            if (answer?.FindNotify(NotifyType.Cookie) is not { } cookie || answer.Find<KeyExchangePayload>() is not null)
                break;
            CookiesReceived++;
            InitRequest = IkeMessage.Create(initHeader, [NotifyPayload.Create(NotifyType.Cookie, cookie.Data.ToArray()), .. payloads]).ToArray();
            step = Deliver(InitRequest);
        }
        if (step.Send.Count == 0)
            return (step, null);
        var bytes = step.Send[0].Message.ToArray();
        var response = IkeMessage.Parse(bytes).Value!;
        Assert.True(response.Header.IsResponse);
        Assert.False(response.Header.IsInitiator);
        if (response.Find<KeyExchangePayload>() is not { } theirKe)
            return (step, response);

        InitResponse = bytes;
        SpiR = response.Header.ResponderSpi;
        Assert.Equal(group, theirKe.Group);
        // The product initiator's checks and key derivation (RFC 7296 §2.14) of the response.
        var sa = InitiatorKeying.Derive(response, [proposal], ke, Ni, out var nr, out var problem);
        Assert.True(sa is not null, problem);
        Nr = nr;
        Prf = sa.Prf;
        Keys = sa.Keys;
        _out = sa.Outbound;
        _in = sa.Inbound;
        return (step, response);
    }

    // ---- SK ----

    public byte[] Seal(ExchangeType exchange, uint messageId, IReadOnlyList<Payload> payloads, bool response = false)
    {
        var header = IkeHeader.Create(SpiI, SpiR, exchange,
            (WeAreOriginalInitiator ? IkeHeaderFlags.Initiator : 0) | (response ? IkeHeaderFlags.Response : 0), messageId);
        var plaintext = new byte[PayloadChain.GetSize(payloads)];
        PayloadChain.Write(plaintext, payloads);
        int bodyLength = _out!.SealedLength(plaintext.Length);
        var message = new byte[EncryptedMessageLayout.GetSize([], bodyLength)];
        var regions = EncryptedMessageLayout.Write(message, header, [], payloads.Count > 0 ? payloads[0].Type : PayloadType.None, bodyLength);
        _out.Seal(message.AsSpan(regions.AssociatedData), plaintext, message.AsSpan(regions.Body));
        return message;
    }

    /// <summary>Opens a message from the gateway (response or request) and checks its framing.</summary>
    public (IkeHeader Header, IReadOnlyList<Payload> Payloads) Open(ReadOnlyMemory<byte> message)
    {
        var parsed = IkeMessage.Parse(message.Span);
        Assert.True(parsed.IsSuccess, parsed.ToString());
        var header = parsed.Value!.Header;
        Assert.Equal(SpiI, header.InitiatorSpi);
        Assert.Equal(SpiR, header.ResponderSpi);
        Assert.Equal(!WeAreOriginalInitiator, header.IsInitiator);
        var sk = Assert.IsType<EncryptedPayload>(parsed.Value.Payloads[^1]);
        Assert.True(EncryptedMessageLayout.TryLocate(message.Span, out var regions));
        var plaintext = new byte[_in!.MaxPlaintextLength(regions.BodyLength)];
        Assert.True(_in.TryOpen(message.Span[regions.AssociatedData], message.Span[regions.Body], plaintext, out int length), "gateway message fails integrity");
        var inner = PayloadChain.Parse(sk.FirstInnerPayload, plaintext.AsSpan(0, length), header.IsResponse);
        Assert.True(inner.IsSuccess, inner.ToString());
        return (header, inner.Value!);
    }

    /// <summary>
    /// Sends a request with the next message ID (as fragments when <see cref="FragmentContentSize"/> is set) and
    /// opens the response, reassembling it when the gateway fragmented it. Requests the gateway sends in the same
    /// step (e.g. a return-routability check) are left in the step.
    /// </summary>
    public Round Request(ExchangeType exchange, IReadOnlyList<Payload> payloads)
    {
        uint id = NextMessageId++;
        List<byte[]> messages = FragmentContentSize is { } size ? SealFragments(exchange, id, payloads, size) : [Seal(exchange, id, payloads)];
        var step = Merge(messages.Select(m => Deliver(m)).ToList());
        IReadOnlyList<Payload>? response = null;
        var ours = ResponsesTo(step, id);
        if (ours.Count > 0)
        {
            var (header, inner) = OpenAll(ours);
            Assert.True(header.IsResponse);
            Assert.Equal(id, header.MessageId);
            Assert.Equal(exchange, header.ExchangeType);
            response = inner;
        }
        return new Round(step, messages[0], response);
    }

    /// <summary>The datagrams of a step that are the gateway's response to our request <paramref name="id"/>.</summary>
    public static List<ReadOnlyMemory<byte>> ResponsesTo(IkeSaStep step, uint id) =>
        step.Send.Where(d => IkeHeader.TryParse(d.Message.Span, out var h, out _) && h.IsResponse && h.MessageId == id)
            .Select(d => d.Message).ToList();

    /// <summary>Requests the gateway sent in a step (liveness, return routability), opened.</summary>
    public List<(IkeHeader Header, IReadOnlyList<Payload> Payloads, Transport.IkeDatagram Datagram)> GatewayRequests(IkeSaStep step) =>
        step.Send.Where(d => IkeHeader.TryParse(d.Message.Span, out var h, out _) && !h.IsResponse)
            .Select(d =>
            {
                var (h, p) = Open(d.Message);
                return (h, p, d);
            }).ToList();

    /// <summary>Answers a request of the gateway (R flag, our I flag, its message ID).</summary>
    public IkeSaStep Answer(IkeHeader request, IReadOnlyList<Payload> payloads) =>
        Deliver(Seal(request.ExchangeType, request.MessageId, payloads, response: true));

    public static IkeSaStep Merge(IReadOnlyList<IkeSaStep> steps) => new(
        steps.SelectMany(s => s.Send).ToList(), steps.SelectMany(s => s.Events).ToList(),
        steps.SelectMany(s => s.Timers).ToList(), steps.Any(s => s.Terminated));

    // ---- RFC 7383 fragments, written independently of the gateway's code ----

    /// <summary>SKF fragments of a message, <paramref name="contentPerFragment"/> inner bytes each, each sealed on its own.</summary>
    public List<byte[]> SealFragments(ExchangeType exchange, uint messageId, IReadOnlyList<Payload> payloads, int contentPerFragment, bool response = false)
    {
        var header = IkeHeader.Create(SpiI, SpiR, exchange, IkeHeaderFlags.Initiator | (response ? IkeHeaderFlags.Response : 0), messageId);
        var plaintext = new byte[PayloadChain.GetSize(payloads)];
        PayloadChain.Write(plaintext, payloads);
        var chunks = plaintext.Chunk(contentPerFragment).ToList();
        var result = new List<byte[]>();
        for (int i = 0; i < chunks.Count; i++)
        {
            int bodyLength = _out!.SealedLength(chunks[i].Length);
            var message = new byte[EncryptedMessageLayout.GetSize([], bodyLength, fragment: true)];
            var regions = EncryptedMessageLayout.WriteFragment(message, header, [], payloads[0].Type, (ushort)(i + 1), (ushort)chunks.Count, bodyLength);
            _out.Seal(message.AsSpan(regions.AssociatedData), chunks[i], message.AsSpan(regions.Body));
            result.Add(message);
        }
        return result;
    }

    /// <summary>Opens one SK message, or reassembles SKF fragments (any order, each checked on its own).</summary>
    public (IkeHeader Header, IReadOnlyList<Payload> Payloads) OpenAll(IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        if (messages.Count == 1 && IkeMessage.Parse(messages[0].Span).Value!.Payloads[^1] is EncryptedPayload)
            return Open(messages[0]);
        var parts = new SortedDictionary<int, byte[]>();
        IkeHeader header = default;
        PayloadType first = PayloadType.None;
        foreach (var m in messages)
        {
            var parsed = IkeMessage.Parse(m.Span);
            Assert.True(parsed.IsSuccess, parsed.ToString());
            var skf = Assert.IsType<EncryptedFragmentPayload>(parsed.Value!.Payloads[^1]);
            Assert.True(EncryptedMessageLayout.TryLocate(m.Span, out var regions));
            var plaintext = new byte[_in!.MaxPlaintextLength(regions.BodyLength)];
            Assert.True(_in.TryOpen(m.Span[regions.AssociatedData], m.Span[regions.Body], plaintext, out int length), "gateway fragment fails integrity");
            parts[skf.FragmentNumber] = plaintext[..length];
            Assert.Equal(messages.Count, skf.TotalFragments);
            if (skf.FragmentNumber == 1)
            {
                header = parsed.Value.Header;
                first = skf.FirstInnerPayload;
            }
            else
                Assert.Equal(PayloadType.None, skf.FirstInnerPayload);
        }
        Assert.Equal(Enumerable.Range(1, messages.Count), parts.Keys);
        var inner = PayloadChain.Parse(first, parts.Values.SelectMany(p => p).ToArray(), header.IsResponse);
        Assert.True(inner.IsSuccess, inner.ToString());
        return (header, inner.Value!);
    }

    // ---- MOBIKE ----

    /// <summary>
    /// INFORMATIONAL with UPDATE_SA_ADDRESSES from <paramref name="from"/> to <paramref name="to"/> (RFC 4555 §3.5),
    /// NAT-D computed with both SPIs (faked source hash when <paramref name="behindNat"/>).
    /// </summary>
    public Round UpdateSaAddresses(IPEndPoint from, IPEndPoint? to = null, bool behindNat = false, byte[]? cookie2 = null,
        IReadOnlyList<Payload>? extra = null)
    {
        Client = from;
        Gateway = to ?? Gateway;
        var source = behindNat ? new IPEndPoint(IPAddress.Parse("10.0.0.2"), 4500) : Client;
        var payloads = new List<Payload>
        {
            NotifyPayload.Create(NotifyType.UpdateSaAddresses),
            NotifyPayload.NatDetection(true, NotifyPayload.ComputeNatDetectionHash(SpiI, SpiR, source.Address, (ushort)source.Port)),
            NotifyPayload.NatDetection(false, NotifyPayload.ComputeNatDetectionHash(SpiI, SpiR, Gateway.Address, (ushort)Gateway.Port)),
        };
        if (cookie2 is not null)
            payloads.Add(NotifyPayload.Create(NotifyType.Cookie2, cookie2));
        if (extra is not null)
            payloads.AddRange(extra);
        return Request(ExchangeType.Informational, payloads);
    }

    // ---- AUTH ----

    /// <summary>What both AUTH payloads of this handshake cover (RFC 7296 §2.15), as the product initiator computes it.</summary>
    internal HandshakeOctets Octets => new(Prf, InitRequest, InitResponse, Ni, Nr, Keys!.SkPi, Keys.SkPr);

    public byte[] InitiatorOctets(IdentificationPayload idi) => Octets.ForInitiator(idi.GetBodyBytes());

    public byte[] ResponderOctets(IdentificationPayload idr) => Octets.ForResponder(idr.GetBodyBytes());

    /// <summary>Checks the gateway's signature AUTH as the product initiator does: chain to the CA, then the signature.</summary>
    public void VerifyGatewaySignature(IReadOnlyList<Payload> response, X509Certificate2 ca)
    {
        var problem = GatewayAuthentication.VerifySignature(response, Octets, [ca], expectedIdentity: null);
        Assert.True(problem is null, problem);
        if (AnnounceSignatureHashes)
            Assert.Equal(AuthMethod.DigitalSignature, response.OfType<AuthenticationPayload>().Single().Method);
    }

    public void VerifyGatewayPsk(IReadOnlyList<Payload> response, byte[] psk)
    {
        var problem = GatewayAuthentication.VerifyPsk(response, Octets, psk, expectedIdentity: null);
        Assert.True(problem is null, problem);
    }

    // ---- the first child SA ----

    public static IReadOnlyList<Payload> ChildPayloads(string espProposal, uint spi, ConfigurationPayload? cp,
        IReadOnlyList<TrafficSelector>? tsi = null, IReadOnlyList<TrafficSelector>? tsr = null)
    {
        var esp = ProposalSyntax.Parse(espProposal, ProtocolId.Esp).Proposal!;
        var spiBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        var list = new List<Payload>();
        if (cp is not null)
            list.Add(cp);
        list.Add(new SecurityAssociationPayload([esp with { Spi = spiBytes }]));
        list.Add(new TrafficSelectorPayload(true, tsi ?? [TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetwork), TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetworkV6)]));
        list.Add(new TrafficSelectorPayload(false, tsr ?? [TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetwork), TrafficSelector.Any(System.Net.Sockets.AddressFamily.InterNetworkV6)]));
        list.Add(NotifyPayload.Create(NotifyType.MobikeSupported));
        return list;
    }

    public static ConfigurationPayload AddressRequest(bool v4 = true, bool v6 = true) => new(ConfigurationType.Request,
    [
        .. v4 ? new[] { ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Address), ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Dns) } : [],
        .. v6 ? new[] { ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Address), ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Dns) } : [],
    ]);

    /// <summary>Child SA keys as the initiator derives them from the response's SA.</summary>
    public ChildSaKeys DeriveChildKeys(IReadOnlyList<Payload> response)
    {
        var selected = response.OfType<SecurityAssociationPayload>().Single().Proposals.Single();
        var encryption = selected.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        var sizes = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, encryption.KeyLength ?? 0);
        return IkeKeySchedule.DeriveChildSaKeys(Prf, Keys!.SkD, [], Ni, Nr, sizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
    }

    // ---- whole flows ----

    public static IdentificationPayload Id(string text) => IdentityText.Payload(text, initiator: true);

    /// <summary>IKE_AUTH with PSK; verifies the gateway's PSK AUTH when it authenticated us.</summary>
    public Round AuthenticateWithPsk(string identity, byte[] psk, IReadOnlyList<Payload> child, byte[]? gatewayPsk = null)
    {
        var idi = Id(identity);
        var auth = new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, SharedKeyAuth.Compute(Prf, psk, InitiatorOctets(idi)));
        var round = Request(ExchangeType.IkeAuth, [idi, .. InitialContact(), auth, .. child]);
        if (round.Find<AuthenticationPayload>() is not null)
            VerifyGatewayPsk(round.Response!, gatewayPsk ?? psk);
        return round;
    }

    /// <summary>IKE_AUTH with a client certificate; verifies the gateway's signature when it answered with AUTH.</summary>
    public Round AuthenticateWithCertificate(IssuedCertificate client, X509Certificate2 ca, IReadOnlyList<Payload> child,
        IdentificationPayload? idi = null, X509Certificate2? gatewayCa = null, IReadOnlyList<X509Certificate2>? chain = null)
    {
        idi ??= Id(client.Certificate.GetNameInfo(X509NameType.SimpleName, false));
        var method = AuthSignature.ChooseMethod(client.Key, peerSupportsRfc7427: true);
        var signature = AuthSignature.Sign(method, client.Key, InitiatorOctets(idi));
        var round = Request(ExchangeType.IkeAuth,
        [
            idi, new CertificatePayload(CertificateEncoding.X509Signature, client.Certificate.RawData),
            .. (chain ?? []).Select(c => new CertificatePayload(CertificateEncoding.X509Signature, c.RawData)),
            new AuthenticationPayload(method, signature), .. child,
        ]);
        if (round.Find<AuthenticationPayload>() is not null)
            VerifyGatewaySignature(round.Response!, gatewayCa ?? ca);
        return round;
    }

    /// <summary>
    /// IKE_AUTH with EAP-MSCHAPv2 until the end. Returns every round; the last one carries the final response (or the
    /// failure). The gateway's certificate AUTH and, at the end, its MSK AUTH are verified.
    /// </summary>
    public List<Round> AuthenticateWithEap(IdentificationPayload idi, string user, string password, IReadOnlyList<Payload> child, X509Certificate2 ca)
    {
        var rounds = new List<Round>();
        var first = Request(ExchangeType.IkeAuth, [idi, .. InitialContact(), .. child,
            NotifyPayload.Create(NotifyType.EapOnlyAuthentication)]);
        rounds.Add(first);
        if (first.Find<EapPayload>() is null)
            return rounds;
        VerifyGatewaySignature(first.Response!, ca);
        var idr = first.Response!.OfType<IdentificationPayload>().Single(p => !p.IsInitiator);
        var peer = new MsChapV2Peer(user, MsChapV2Credential.FromPassword(password));
        var eap = first.Find<EapPayload>()!;
        for (int i = 0; i < 6; i++)
        {
            var packet = EapPacket.Parse(eap.Message.Span).Value!;
            if (packet.Code == EapCode.Success)
            {
                Assert.Equal(EapMethodStatus.Succeeded, peer.Process(packet).Status);
                var msk = peer.Msk!;
                var auth = new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode,
                    SharedKeyAuth.ComputeForEap(Prf, msk, Keys!.SkPi, InitiatorOctets(idi)));
                var last = Request(ExchangeType.IkeAuth, [auth]);
                rounds.Add(last);
                if (last.Find<AuthenticationPayload>() is { } theirs)
                {
                    var problem = GatewayAuthentication.VerifyEapMsk(theirs, idr, Octets, msk);
                    Assert.True(problem is null, problem);
                }
                return rounds;
            }
            EapPacket reply;
            if (packet.Type == EapType.Identity)
                reply = EapIdentity.Response(packet.Identifier, user);
            else
            {
                var step = peer.Process(packet);
                if (step.Send is null)
                    return rounds;
                reply = step.Send;
            }
            var round = Request(ExchangeType.IkeAuth, [new EapPayload(reply.Encode())]);
            rounds.Add(round);
            if (round.Find<EapPayload>() is not { } next || round.Notify(NotifyType.AuthenticationFailed) is not null)
                return rounds;
            eap = next;
        }
        throw new InvalidOperationException("EAP did not finish");
    }

    private Payload[] InitialContact() => SendInitialContact ? [NotifyPayload.Create(NotifyType.InitialContact)] : [];

    public void Dispose()
    {
        _out?.Dispose();
        _in?.Dispose();
        Keys?.Dispose();
    }
}
