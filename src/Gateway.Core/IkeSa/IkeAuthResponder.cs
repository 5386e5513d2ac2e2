using Gateway.Core.Policy;
using Gateway.Crypto.Eap;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>What the initiator asked for its first child SA in IKE_AUTH (any part may be missing).</summary>
internal sealed record ChildSaRequest(SecurityAssociationPayload? Sa, TrafficSelectorPayload? Tsi, TrafficSelectorPayload? Tsr,
    ConfigurationPayload? Cp);

/// <summary>The result of one IKE_AUTH request as far as authentication goes.</summary>
internal abstract record AuthOutcome(IReadOnlyList<Payload> Payloads);

/// <summary>Another EAP round: send these payloads and wait.</summary>
internal sealed record AuthContinues(IReadOnlyList<Payload> Payloads) : AuthOutcome(Payloads);

/// <summary>Authentication failed: send these payloads (AUTHENTICATION_FAILED, never saying why) and terminate.</summary>
internal sealed record AuthFailed(IReadOnlyList<Payload> Payloads, string Reason) : AuthOutcome(Payloads);

/// <summary>The peer is authenticated: send these payloads, then the configuration and child SA parts.</summary>
internal sealed record AuthSucceeded(IReadOnlyList<Payload> Payloads, string PeerIdentity, ChildSaRequest Child) : AuthOutcome(Payloads);

/// <summary>
/// IKE_AUTH authentication as responder (RFC 7296 §1.2, §2.15, §2.16): PSK, certificate, or EAP-MSCHAPv2 for the
/// client; certificate (or PSK when the client used PSK) for us. One instance per IKE SA; it keeps the first
/// request's IDi and child SA request across EAP rounds.
/// </summary>
internal sealed class IkeAuthResponder(GatewayPolicy policy, IResponderServices services, IkeSaCrypto crypto,
    IReadOnlyCollection<SignatureHashAlgorithm>? peerHashes)
{
    private readonly ServerCredentials _server = new(policy);
    private IdentificationPayload? _idi;
    private byte[]? _idiBody;
    private byte[]? _idrBody;
    private ChildSaRequest? _child;
    private EapMsChapV2Conversation? _eap;
    private byte[]? _msk;

    /// <summary>True while EAP rounds are going on.</summary>
    public bool InEap => _eap is not null && _msk is null;

    /// <summary>The first IKE_AUTH request carried N(INITIAL_CONTACT) (RFC 7296 §2.4).</summary>
    public bool InitialContact { get; private set; }

    /// <summary>True after EAP-Success, while the MSK-based AUTH is awaited.</summary>
    public bool AwaitingEapAuth => _msk is not null;

    public AuthOutcome Process(OpenedMessage request, DateTime nowUtc)
    {
        if (_msk is not null)
            return FinishEap(request);
        if (_eap is not null)
            return ContinueEap(request);
        return First(request, nowUtc);
    }

    private AuthOutcome First(OpenedMessage request, DateTime nowUtc)
    {
        var idi = request.All<IdentificationPayload>().FirstOrDefault(p => p.IsInitiator);
        var idiBody = RawPayloadBody.Find(request.FirstInner, request.Plaintext, PayloadType.IdentificationInitiator);
        if (idi is null || idiBody is null)
            return Failed("IKE_AUTH without IDi");
        _idi = idi;
        _idiBody = idiBody;
        InitialContact = request.FindNotify(NotifyType.InitialContact) is not null;
        _idrBody = _server.IdR.GetBodyBytes();
        _child = new ChildSaRequest(request.Find<SecurityAssociationPayload>(),
            request.All<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator),
            request.All<TrafficSelectorPayload>().FirstOrDefault(t => !t.IsInitiator),
            request.Find<ConfigurationPayload>());
        var handshake = crypto.Handshake;
        var initiatorOctets = handshake.ForInitiator(idiBody);
        var identity = IdentityText.Of(idi.IdType, idi.Data.Span);

        var auth = request.Find<AuthenticationPayload>();
        if (auth is null)
            return StartEap(idi, handshake);

        if (auth.Method == AuthMethod.SharedKeyMessageIntegrityCode)
        {
            if (!policy.PreSharedKeys.TryGetValue(identity, out var secret)
                || !PskAuthentication.Verify(crypto.Prf, secret, initiatorOctets, auth))
                return Failed("PSK authentication failed");
            var ours = PskAuthentication.Create(crypto.Prf, secret, handshake.ForResponder(_idrBody));
            return new AuthSucceeded([_server.IdR, ours], identity, _child);
        }

        if (!policy.CertificateAuthentication
            || !CertificateAuthentication.Verify(policy.TrustedCas, request.All<CertificatePayload>(), idi, auth, initiatorOctets, nowUtc))
            return Failed("certificate authentication failed");
        return new AuthSucceeded([_server.IdR, .. _server.CertificatePayloads(), _server.Sign(handshake.ForResponder(_idrBody), peerHashes)],
            identity, _child);
    }

    private AuthOutcome StartEap(IdentificationPayload idi, HandshakeOctets handshake)
    {
        if (policy.EapUsers.Count == 0)
            return Failed("no AUTH and EAP is disabled");
        _eap = new EapMsChapV2Conversation(policy, services);
        var identity = IdentityText.UsableAsEapIdentity(idi.IdType, idi.Data.Span) ? IdentityText.Of(idi.IdType, idi.Data.Span) : null;
        var first = _eap.Start(identity);
        return new AuthContinues([_server.IdR, .. _server.CertificatePayloads(), _server.Sign(handshake.ForResponder(_idrBody!), peerHashes),
            new EapPayload(first.Encode())]);
    }

    private AuthOutcome ContinueEap(OpenedMessage request)
    {
        var payload = request.Find<EapPayload>();
        if (payload is null)
            return Failed("EAP round without EAP payload");
        var packet = EapPacket.Parse(payload.Message.Span);
        if (!packet.IsSuccess)
            return Failed("malformed EAP");
        var round = _eap!.Process(packet.Value!);
        switch (round.Status)
        {
            case EapMethodStatus.Continue:
                return new AuthContinues([new EapPayload(round.Send.Encode())]);
            case EapMethodStatus.Succeeded when _eap.Msk is { } msk:
                _msk = msk;
                return new AuthContinues([new EapPayload(round.Send.Encode())]);
            default:
                // strongSwan and Windows expect EAP-Failure; AUTHENTICATION_FAILED makes the end unmistakable.
                return new AuthFailed([new EapPayload(round.Send.Encode()), NotifyPayload.Create(NotifyType.AuthenticationFailed)], "EAP failed");
        }
    }

    private AuthOutcome FinishEap(OpenedMessage request)
    {
        var auth = request.Find<AuthenticationPayload>();
        var handshake = crypto.Handshake;
        if (auth is null || !EapAuthentication.Verify(crypto.Prf, _msk, handshake.SkPi, handshake.ForInitiator(_idiBody!), auth))
            return Failed("AUTH after EAP failed");
        var ours = EapAuthentication.Create(crypto.Prf, _msk, handshake.SkPr, handshake.ForResponder(_idrBody!));
        return new AuthSucceeded([ours], _eap!.UserName ?? IdentityText.Of(_idi!.IdType, _idi.Data.Span), _child!);
    }

    private static AuthFailed Failed(string reason) => new([NotifyPayload.Create(NotifyType.AuthenticationFailed)], reason);
}
