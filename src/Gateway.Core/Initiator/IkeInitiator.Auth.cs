using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.IkeSa;
using Gateway.Crypto.Auth;
using Gateway.Crypto.Eap;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>IKE_AUTH (RFC 7296 §1.2, §2.15, §2.16): PSK, certificate or EAP-MSCHAPv2, and the first child SA.</summary>
public sealed partial class IkeInitiator
{
    private readonly List<Proposal> _espProposals;
    private IdentificationPayload? _idi;
    private IdentificationPayload? _idr;
    private MsChapV2Peer? _eap;
    private byte[]? _msk;
    private uint _childSpi;
    private EstablishedChildSa? _child;
    private readonly FragmentReassembler _responseFragments = new(64, 64 * 1024);

    private void SendFirstAuth(DateTime now)
    {
        var credentials = _settings.Credentials;
        _childSpi = NewChildSpi();
        _idi = IdentityText.Payload(OurIdentity(), initiator: true);
        var payloads = new List<Payload> { _idi };
        switch (credentials.Method)
        {
            case InitiatorAuthMethod.Psk:
                payloads.Add(new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode,
                    SharedKeyAuth.Compute(_octets!.Prf, credentials.Psk ?? throw new InvalidOperationException("no PSK"),
                        _octets.ForInitiator(_idi.GetBodyBytes()))));
                break;
            case InitiatorAuthMethod.Certificate:
                var certificate = credentials.Certificate ?? throw new InvalidOperationException("no client certificate");
                using (var key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
                                 ?? throw new InvalidOperationException("the client certificate has no private key"))
                {
                    payloads.Add(new CertificatePayload(CertificateEncoding.X509Signature, certificate.RawData));
                    payloads.AddRange(CertificateRequests());
                    var method = AuthSignature.ChooseMethod(key, peerSupportsRfc7427: true);
                    payloads.Add(new AuthenticationPayload(method, AuthSignature.Sign(method, key, _octets!.ForInitiator(_idi.GetBodyBytes()))));
                }
                break;
            default:
                // No AUTH: we want EAP (RFC 7296 §2.16). CERTREQ so the gateway sends its certificate (strongSwan: send_cert=ifasked).
                payloads.AddRange(CertificateRequests());
                break;
        }
        if (_settings.InitialContact)
            payloads.Add(NotifyPayload.Create(NotifyType.InitialContact));
        payloads.Add(AddressRequest());
        payloads.AddRange(ChildPayloads(_childSpi));
        if (_settings.Mobike)
            payloads.Add(NotifyPayload.Create(NotifyType.MobikeSupported));
        payloads.AddRange(SyncSupportNotifies());
        SendEncryptedRequest(ExchangeType.IkeAuth, payloads, now);
    }

    private string OurIdentity()
    {
        var credentials = _settings.Credentials;
        if (credentials.Identity is { } id)
            return id;
        if (credentials.Method == InitiatorAuthMethod.Certificate && credentials.Certificate is { } c)
            return c.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } dns ? dns : c.GetNameInfo(X509NameType.SimpleName, false);
        return _local.Address.ToString(); // Windows sends its address as IDi for EAP
    }

    /// <summary>CERTREQ with the SHA-1 of each trusted CA's SubjectPublicKeyInfo (RFC 7296 §3.7).</summary>
    private IEnumerable<Payload> CertificateRequests()
    {
        var credentials = _settings.Credentials;
        if (credentials.TrustedCas.Count == 0)
            return [];
        var hashes = credentials.GatewayCertificates is { } cache && ReferenceEquals(cache.TrustedCas, credentials.TrustedCas)
            ? cache.CertificateRequestHashes
            : GatewayCertificateCache.CertificateRequestHashesOf(credentials.TrustedCas);
        return [new CertificateRequestPayload(CertificateEncoding.X509Signature, hashes)];
    }

    private ConfigurationPayload AddressRequest()
    {
        var attributes = new List<ConfigurationAttribute>();
        if (_settings.RequestIpv4)
        {
            attributes.Add(ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Address));
            attributes.Add(ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp4Dns));
        }
        if (_settings.RequestIpv6)
        {
            attributes.Add(ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Address));
            attributes.Add(ConfigurationAttribute.Request(ConfigurationAttributeType.InternalIp6Dns));
        }
        return new ConfigurationPayload(ConfigurationType.Request, attributes);
    }

    private IEnumerable<Payload> ChildPayloads(uint childSpi)
    {
        var spi = InitiatorKeying.Spi32(childSpi);
        // Everything both ways, as Windows asks; the gateway narrows to our virtual address and its subnets.
        IReadOnlyList<TrafficSelector> any = [TrafficSelector.Any(AddressFamily.InterNetwork), TrafficSelector.Any(AddressFamily.InterNetworkV6)];
        return
        [
            new SecurityAssociationPayload(_espProposals.Select(p => p with { Spi = spi }).ToList()),
            new TrafficSelectorPayload(true, any),
            new TrafficSelectorPayload(false, any),
        ];
    }

    private void SendEncryptedRequest(ExchangeType exchange, IReadOnlyList<Payload> payloads, DateTime now)
    {
        uint id = _nextMessageId++;
        _awaitedId = id;
        SendRequest(Seal(exchange, id, payloads, response: false).Select(Datagram).ToList(), now);
    }

    /// <summary>Seals a message on an IKE SA replaced by a rekey (its SPIs, keys and role; small messages, never fragmented).</summary>
    private static IReadOnlyList<byte[]> SealOn(RetiredIkeSa sa, ExchangeType exchange, uint messageId, IReadOnlyList<Payload> payloads, bool response) =>
        SkFragments.Seal(IkeHeader.Create(sa.SpiI, sa.SpiR, exchange,
            (sa.OriginalInitiator ? IkeHeaderFlags.Initiator : 0) | (response ? IkeHeaderFlags.Response : 0), messageId), payloads, sa.Sa.Outbound, null);

    private IReadOnlyList<byte[]> Seal(ExchangeType exchange, uint messageId, IReadOnlyList<Payload> payloads, bool response)
    {
        var header = IkeHeader.Create(SpiI, SpiR, exchange,
            (_originalInitiator ? IkeHeaderFlags.Initiator : 0) | (response ? IkeHeaderFlags.Response : 0), messageId);
        int? max = _fragmentation
            ? SkFragments.MaxMessageSize(_settings.FragmentSize, new IPEndPoint(_local.Address, _natTraversal ? IkePorts.NatTraversal : IkePorts.Ike), _gateway)
            : null;
        return SkFragments.Seal(header, payloads, _sa!.Outbound, max);
    }

    /// <summary>Opens an SK message, or adds an SKF fragment (null until the last one is in). Bad integrity: null, dropped.</summary>
    private IReadOnlyList<Payload>? Open(ReadOnlyMemory<byte> message, IkeHeader header, FragmentReassembler fragments)
    {
        if (header.NextPayload == PayloadType.EncryptedFragment)
        {
            if (SkFragments.TryOpen(message.Span, _sa!.Inbound, out _) is not { } fragment ||
                fragments.Add(fragment, out _) is not { } whole)
                return null;
            // The reassembled plaintext is a fresh array nobody writes to: the payloads may slice it.
            var chain = PayloadChain.ParseWithoutCopy(whole.FirstInner, whole.Plaintext, header.IsResponse);
            return chain.IsSuccess ? chain.Value : null;
        }
        return SkMessages.TryOpen(message.Span, _sa!.Inbound, out _)?.Payloads;
    }

    private void OnEncryptedResponse(ReadOnlyMemory<byte> message, IkeHeader header, DateTime now)
    {
        if (Open(message, header, _responseFragments) is not { } payloads)
            return;
        _outstanding = [];
        _deadline = null;
        _roundTrips++;
        switch (Phase)
        {
            case InitiatorPhase.Auth:
                OnAuthResponse(payloads, now);
                break;
            case InitiatorPhase.Deleting:
                Finish(InitiatorPhase.Closed, new TunnelClosed(false));
                break;
            case InitiatorPhase.Established:
                OnExchangeResponse(payloads, now);
                break;
        }
    }

    private void OnAuthResponse(IReadOnlyList<Payload> payloads, DateTime now)
    {
        var notifies = payloads.OfType<NotifyPayload>().ToList();
        _peerMobike |= notifies.Any(n => n.NotifyType == NotifyType.MobikeSupported);
        if (notifies.FirstOrDefault(n => n.NotifyType == NotifyType.Redirect) is { } redirect)
        {
            FollowRedirect(redirect, now); // RFC 5685 §6: redirect during IKE_AUTH
            return;
        }
        if (ErrorNotify(payloads) is { } error)
        {
            // A child error next to the gateway's AUTH leaves an IKE SA without a tunnel: tell the gateway we are gone.
            if (payloads.OfType<AuthenticationPayload>().Any())
                _send.AddRange(Seal(ExchangeType.Informational, _nextMessageId++, [new DeletePayload(ProtocolId.Ike, [])], false).Select(Datagram));
            FailWithNotify(error);
            return;
        }
        var credentials = _settings.Credentials;
        string? problem;
        switch (credentials.Method)
        {
            case InitiatorAuthMethod.Psk:
                problem = GatewayAuthentication.VerifyPsk(payloads, _octets!, credentials.Psk!, credentials.GatewayIdentity);
                break;
            case InitiatorAuthMethod.Certificate:
                problem = GatewayAuthentication.VerifySignature(payloads, _octets!, credentials.TrustedCas, credentials.GatewayIdentity, credentials.GatewayCertificates);
                break;
            default:
                OnEapRound(payloads, now);
                return;
        }
        if (problem is not null)
            Fail(InitiatorFailure.GatewayNotTrusted, problem);
        else
            CompleteChild(payloads, now);
    }

    private void OnEapRound(IReadOnlyList<Payload> payloads, DateTime now)
    {
        var credentials = _settings.Credentials;
        if (_msk is not null)
        {
            // The answer to our MSK AUTH: the gateway's MSK AUTH, then the child.
            var problem = GatewayAuthentication.VerifyEapMsk(payloads.OfType<AuthenticationPayload>().FirstOrDefault(), _idr!, _octets!, _msk);
            if (problem is not null)
                Fail(InitiatorFailure.GatewayNotTrusted, problem);
            else
                CompleteChild(payloads, now);
            return;
        }
        if (_eap is null)
        {
            // First answer: the gateway's certificate AUTH must check out before we hand it our password's proof.
            if (GatewayAuthentication.VerifySignature(payloads, _octets!, credentials.TrustedCas, credentials.GatewayIdentity, credentials.GatewayCertificates) is { } problem)
            {
                Fail(InitiatorFailure.GatewayNotTrusted, problem);
                return;
            }
            _idr = payloads.OfType<IdentificationPayload>().First(p => !p.IsInitiator);
            _eap = new MsChapV2Peer(credentials.EapUser ?? throw new InvalidOperationException("no EAP user"),
                MsChapV2Credential.FromPassword(credentials.EapPassword ?? ""));
        }
        if (payloads.OfType<EapPayload>().FirstOrDefault() is not { } eapPayload ||
            EapPacket.Parse(eapPayload.Message.Span).Value is not { } packet)
        {
            Fail(InitiatorFailure.Protocol, "IKE_AUTH response without a usable EAP payload");
            return;
        }
        switch (packet.Code)
        {
            case EapCode.Failure:
                Fail(InitiatorFailure.AuthenticationFailed, "EAP-Failure");
                return;
            case EapCode.Success:
                if (_eap.Process(packet).Status != EapMethodStatus.Succeeded || _eap.Msk is not { } msk)
                {
                    Fail(InitiatorFailure.GatewayNotTrusted, "EAP-Success before MS-CHAPv2 finished");
                    return;
                }
                _msk = msk;
                var auth = SharedKeyAuth.ComputeForEap(_octets!.Prf, msk, _octets.SkPi, _octets.ForInitiator(_idi!.GetBodyBytes()));
                SendEncryptedRequest(ExchangeType.IkeAuth, [new AuthenticationPayload(AuthMethod.SharedKeyMessageIntegrityCode, auth)], now);
                return;
        }
        EapPacket reply;
        if (packet.Type == EapType.Identity)
            reply = EapIdentity.Response(packet.Identifier, credentials.EapUser!);
        else
        {
            var step = _eap.Process(packet);
            if (step.Send is null)
            {
                // MsChapV2Peer fails closed, e.g. when the authenticator response does not prove the gateway knows the password.
                Fail(step.Status == EapMethodStatus.Failed ? InitiatorFailure.GatewayNotTrusted : InitiatorFailure.Protocol,
                    "EAP-MSCHAPv2: " + (step.Reason ?? step.Status.ToString()));
                return;
            }
            reply = step.Send;
        }
        SendEncryptedRequest(ExchangeType.IkeAuth, [new EapPayload(reply.Encode())], now);
    }

    private void CompleteChild(IReadOnlyList<Payload> payloads, DateTime now)
    {
        if (ChildFrom(payloads, _childSpi, _octets!.NonceI, _octets.NonceR, [], weInitiated: true) is not { } child)
        {
            Fail(InitiatorFailure.Protocol, "IKE_AUTH response without an acceptable child SA");
            return;
        }
        var addresses = payloads.OfType<ConfigurationPayload>()
            .SelectMany(cp => cp.Attributes)
            .Where(a => a.AttributeType is ConfigurationAttributeType.InternalIp4Address && a.Value.Length == 4
                     || a.AttributeType is ConfigurationAttributeType.InternalIp6Address && a.Value.Length == 17)
            .Select(a => new IPAddress(a.Value.Span[..(a.Value.Length == 17 ? 16 : 4)]))
            .ToList();
        _child = child;
        Phase = InitiatorPhase.Established;
        _events.Add(new TunnelEstablished(now - _startedAt, addresses, _child, ProposalSyntax.Format(_sa!.Selected), _roundTrips));
    }

    /// <summary>
    /// The child SA an answer (IKE_AUTH or CREATE_CHILD_SA) selected, keyed from SK_d, [g^ir], Ni, Nr (RFC 7296 §2.17);
    /// null when it selected nothing we offered.
    /// </summary>
    private EstablishedChildSa? ChildFrom(IReadOnlyList<Payload> payloads, uint inboundSpi, byte[] nonceI, byte[] nonceR,
        byte[] sharedSecret, bool weInitiated)
    {
        if (payloads.OfType<SecurityAssociationPayload>().FirstOrDefault() is not { Proposals.Count: 1 } sa ||
            sa.Proposals[0] is not { Spi32: { } outboundSpi } selected || !WeOffer(selected))
            return null;
        var tsr = payloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator != weInitiated)?.Selectors ?? [];
        return KeyChild(selected, inboundSpi, outboundSpi, nonceI, nonceR, sharedSecret, tsr, weInitiated);
    }

    /// <summary>Whether an ESP proposal (its KE transform aside: PFS) fits one of ours.</summary>
    private bool WeOffer(Proposal esp)
    {
        var withoutKe = esp with { Transforms = esp.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList() };
        return esp.Protocol == ProtocolId.Esp && _espProposals.Any(p => InitiatorKeying.Offers(p, withoutKe));
    }

    private EstablishedChildSa KeyChild(Proposal selected, uint inboundSpi, uint outboundSpi, byte[] nonceI, byte[] nonceR,
        byte[] sharedSecret, IReadOnlyList<TrafficSelector> remoteTs, bool weInitiated)
    {
        var encryption = selected.OfType(TransformType.Encryption).Single();
        var integrity = (IntegrityAlgorithm)(selected.OfType(TransformType.Integrity).Select(t => t.Id).SingleOrDefault());
        int keyBits = encryption.KeyLength ?? 0;
        var sizes = TransformSizes.Get((EncryptionAlgorithm)encryption.Id, keyBits);
        var keys = IkeKeySchedule.DeriveChildSaKeys(_sa!.Prf, _sa.Keys.SkD, sharedSecret, nonceI, nonceR,
            sizes.KeyMaterialSize, TransformSizes.Get(integrity).KeySize);
        bool esn = selected.OfType(TransformType.ExtendedSequenceNumbers).Any(t => t.Id == 1);
        return new EstablishedChildSa(inboundSpi, outboundSpi, (EncryptionAlgorithm)encryption.Id, keyBits, integrity, keys,
            _natTraversal, remoteTs, weInitiated, esn);
    }
}
