using System.Net;
using Gateway.Core.Policy;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// The responder side of one IKE SA as a pure state machine (DESIGN.md "Actors"): IKE_SA_INIT, IKE_AUTH (PSK,
/// certificate or EAP-MSCHAPv2), the first child SA, INFORMATIONAL (delete, liveness). The exchanges are composed
/// from small pieces (<see cref="SaInitResponder"/>, <see cref="IkeAuthResponder"/>, <see cref="ConfigurationResponder"/>,
/// <see cref="ChildSaResponder"/>); this class owns message IDs (window of 1), the retransmission cache, SK
/// protection, the peer's current endpoint and the half-open timer.
/// <para>Not thread-safe: the actor feeds one input at a time. No I/O, no clock reads (time comes with the input).</para>
/// </summary>
public sealed partial class IkeSaResponder : IDisposable
{
    private readonly GatewayPolicy _policy;
    private readonly IResponderServices _services;
    private readonly ResponderOptions _options;
    private readonly ChildSaTable _children = new();
    private IkeSaCrypto? _crypto;
    private IkeAuthResponder? _auth;
    private uint _expectedRequestId;
    private uint? _lastAnsweredId;
    private IReadOnlyList<byte[]>? _cachedResponse; // all fragments of the last response

    /// <param name="responderSpi">Our SPI for this IKE SA, chosen by the ingress (it routes by it).</param>
    public IkeSaResponder(ulong responderSpi, GatewayPolicy policy, IResponderServices services, ResponderOptions? options = null)
    {
        ResponderSpi = responderSpi;
        _policy = policy;
        _services = services;
        _options = options ?? ResponderOptions.Default;
        InitializeMobility();
    }

    /// <summary>The responder SPI of the current IKE SA: ours, unless we rekeyed the IKE SA (see <see cref="LocalSpi"/>).</summary>
    public ulong ResponderSpi { get; private set; }

    /// <summary>The initiator SPI of the current IKE SA: the peer's (0 until IKE_SA_INIT), unless we rekeyed the IKE SA.</summary>
    public ulong InitiatorSpi { get; private set; }

    public IkeSaPhase Phase { get; private set; } = IkeSaPhase.New;

    /// <summary>NAT detection result of IKE_SA_INIT.</summary>
    public NatState Nat { get; private set; }

    /// <summary>Our address of the last authenticated request (or of IKE_SA_INIT).</summary>
    public IPEndPoint? Local { get; private set; }

    /// <summary>The peer's current address: from the last authenticated request (or IKE_SA_INIT).</summary>
    public IPEndPoint? Remote { get; private set; }

    /// <summary>The authenticated peer identity once established.</summary>
    public string? PeerIdentity { get; private set; }

    public IReadOnlyList<IPAddress> VirtualAddresses { get; private set; } = [];

    /// <summary>Child SAs currently up (keys included: never log these).</summary>
    public int ChildSaCount => _children.All.Count;

    /// <summary>Messages whose SK integrity check failed (dropped silently).</summary>
    public long IntegrityFailures { get; private set; }

    /// <summary>All messages dropped without an answer, integrity failures included.</summary>
    public long DroppedMessages { get; private set; }

    public IkeSaStep Handle(IkeSaInput input)
    {
        if (Phase == IkeSaPhase.Terminated)
            return IkeSaStep.Nothing;
        var step = new StepBuilder();
        switch (input)
        {
            case RedirectRequested r:
                OnRedirect(r, step);
                break;
            case DiscardRequested d:
                OnDiscard(d, step);
                break;
            case MessageReceived m:
                OnMessage(m, step);
                break;
            case TimerFired t:
                OnTimer(t, step);
                break;
            case CloseRequested c:
                OnClose(c, step);
                break;
            case ChildSaTraffic t:
                OnTraffic(t, step);
                break;
            case PeerActivity p:
                OnPeerActivity(p, step);
                break;
            case SaResumed r:
                OnResumed(r, step);
                break;
            case AddressLeaseAnswered a:
                OnAddressLeaseAnswered(a, step);
                break;
        }
        if (step.IsTerminated)
            Terminate();
        var built = step.Build();
        RecordTimerDeadlines(input.NowUtc, built); // lifetimes keep absolute deadlines for snapshots
        return built;
    }

    private void OnMessage(MessageReceived m, StepBuilder step)
    {
        var datagram = m.Datagram;
        var bytes = datagram.Message.Span;
        if (!IkeHeader.TryParse(bytes, out var header, out _))
        {
            Drop(step, IkeDropReason.Malformed);
            if (Phase == IkeSaPhase.New)
                step.Terminate("first message unparsable");
            return;
        }
        if (Phase == IkeSaPhase.New)
        {
            OnFirstSaInit(datagram, header, step);
            return;
        }
        if (TryHandleRetired(datagram, header, step))
            return;
        if (header.InitiatorSpi != InitiatorSpi)
        {
            Drop(step, IkeDropReason.Unexpected);
            return;
        }
        if (header.ExchangeType == ExchangeType.IkeSaInit)
        {
            OnSaInitRetransmission(datagram, header, step);
            return;
        }
        // The peer's messages carry the I flag exactly when it is the original initiator of the current IKE SA, which
        // it is not after we rekeyed the IKE SA ourselves (RFC 7296 §2.18, §3.1); requests and responses alike.
        if (header.ResponderSpi != ResponderSpi || header.IsInitiator == LocalIsOriginalInitiator)
        {
            Drop(step, IkeDropReason.Unexpected);
            return;
        }
        if (header.IsResponse)
        {
            if (TryHandleMessageIdSyncResponse(datagram, header, step))
                return;
            OnResponse(datagram, header, m.NowUtc, step);
            return;
        }
        if (Phase == IkeSaPhase.AwaitingAddresses)
            return; // the IKE_AUTH request again (window of 1): its answer leaves once the addresses are leased
        if (header.MessageId == _lastAnsweredId && _cachedResponse is not null)
        {
            // A retransmission: authenticate it (no amplification for forged copies), resend every fragment of the
            // cached response — for a fragmented request only on its fragment 1 (RFC 7383 §2.6.2) — never reprocess.
            var again = _inbound.Authenticate(bytes, header, _crypto!.Inbound);
            if (again.Dropped is { } why)
            {
                Drop(step, why);
                return;
            }
            if (again.FragmentNumber <= 1)
            {
                foreach (var cached in _cachedResponse)
                    step.Send(new IkeDatagram(cached, datagram.Local, datagram.Remote));
            }
            return;
        }
        if (header.MessageId != _expectedRequestId)
        {
            Drop(step, IkeDropReason.OutOfWindow);
            return;
        }
        var received = _inbound.Read(bytes, header, _crypto!.Inbound);
        if (received.Dropped is { } reason)
        {
            Drop(step, reason);
            return;
        }
        if (received.Message is not { } request)
            return; // a fragment, kept until its message is complete
        FollowPeer(datagram, step);

        IReadOnlyList<Payload>? response = header.ExchangeType switch
        {
            ExchangeType.IkeAuth when Phase is IkeSaPhase.SaInitDone or IkeSaPhase.EapInProgress or IkeSaPhase.AwaitingEapAuth
                => OnIkeAuth(request, header, datagram, m.NowUtc, step),
            ExchangeType.Informational => OnInformational(request, datagram, step),
            ExchangeType.CreateChildSa when Phase == IkeSaPhase.Established => OnCreateChildSa(request, step),
            _ => null,
        };
        AfterAuthenticatedRequest(m.NowUtc, step); // after a MOBIKE move, so a resent request goes to the new address
        if (ReferenceEquals(response, AwaitingAddressLease))
            return;
        if (response is null)
        {
            Drop(step, IkeDropReason.Unexpected);
            return;
        }
        Respond(header, response, datagram, step);
        if (!step.IsTerminated)
            AfterRespond(step);
    }

    private void OnFirstSaInit(IkeDatagram datagram, IkeHeader header, StepBuilder step)
    {
        var parsed = header.ExchangeType == ExchangeType.IkeSaInit && !header.IsResponse && header.IsInitiator
                     && header.MessageId == 0 && header.ResponderSpi == 0
            ? IkeMessage.Parse(datagram.Message.Span)
            : default;
        if (!parsed.IsSuccess || parsed.Value is null)
        {
            Drop(step, IkeDropReason.Malformed);
            step.Terminate("first message is not a valid IKE_SA_INIT request");
            return;
        }
        InitiatorSpi = header.InitiatorSpi;
        ObserveSaInitForRedirect(parsed.Value);
        var outcome = new SaInitResponder(_policy, _services, _options)
            .Handle(parsed.Value, datagram.Message.ToArray(), ResponderSpi, datagram.Local, datagram.Remote);
        if (outcome.Response is not null)
            step.Send(new IkeDatagram(outcome.Response, datagram.Local, datagram.Remote));
        if (!outcome.Accepted)
        {
            if (outcome.Response is null)
                Drop(step, IkeDropReason.Malformed);
            step.Terminate(outcome.Rejection ?? "IKE_SA_INIT rejected");
            return;
        }
        _crypto = outcome.Crypto;
        Nat = outcome.Nat;
        Local = datagram.Local;
        Remote = datagram.Remote;
        _auth = new IkeAuthResponder(_policy, _services, _crypto!, outcome.PeerHashAlgorithms);
        _inbound.FragmentationNegotiated = SkFragments.Negotiated(parsed.Value, _options);
        _expectedRequestId = 1;
        Phase = IkeSaPhase.SaInitDone;
        step.Timer(ResponderOptions.HalfOpenTimerKey, _options.HalfOpenTimeout);
    }

    /// <summary>The same IKE_SA_INIT request again (before IKE_AUTH) gets the same response; anything else is dropped.</summary>
    private void OnSaInitRetransmission(IkeDatagram datagram, IkeHeader header, StepBuilder step)
    {
        if (Phase == IkeSaPhase.SaInitDone && _lastAnsweredId is null && !header.IsResponse
            && datagram.Message.Span.SequenceEqual(_crypto!.InitRequest))
        {
            step.Send(new IkeDatagram(_crypto.InitResponse, datagram.Local, datagram.Remote));
            return;
        }
        Drop(step, IkeDropReason.OutOfWindow);
    }

    private IReadOnlyList<Payload> OnIkeAuth(OpenedMessage request, IkeHeader header, IkeDatagram datagram, DateTime nowUtc, StepBuilder step)
    {
        _mobike.ObserveIkeAuthRequest(request);
        ObserveMessageIdSyncSupport(request);
        ObserveReplayCounterSyncSupport(request);
        switch (_auth!.Process(request, nowUtc))
        {
            case AuthContinues c:
                Phase = _auth.AwaitingEapAuth ? IkeSaPhase.AwaitingEapAuth : IkeSaPhase.EapInProgress;
                return c.Payloads;
            case AuthSucceeded s:
                if (DeferForAddressLease(s, header, datagram, nowUtc, step))
                    return AwaitingAddressLease;
                StartMobility(nowUtc, step);
                return Establish(s, datagram, step);
            case AuthFailed f:
                step.Terminate($"authentication failed ({f.Reason})");
                return f.Payloads;
            default:
                throw new InvalidOperationException("unknown authentication outcome");
        }
    }

    /// <param name="leased">Addresses leased outside the machine (<see cref="AddressLeaseAnswered"/>); null: lease them from the services.</param>
    private IReadOnlyList<Payload> Establish(AuthSucceeded auth, IkeDatagram datagram, StepBuilder step, IReadOnlyList<IPAddress>? leased = null)
    {
        var payloads = EstablishWith(auth, datagram, step, leased);
        // An established SA lives for hours mostly idle: what only the negotiation needed goes now (the IKE_AUTH
        // request's payloads and EAP state held by the authenticator, the IKE_SA_INIT messages and nonces AUTH
        // covered). A retransmitted last request is answered from the cached response bytes.
        _auth = null;
        _crypto!.ForgetHandshake();
        return payloads;
    }

    private IReadOnlyList<Payload> EstablishWith(AuthSucceeded auth, IkeDatagram datagram, StepBuilder step, IReadOnlyList<IPAddress>? leased)
    {
        PeerIdentity = auth.PeerIdentity;
        EmitInitialContact(auth.PeerIdentity, step);
        Phase = IkeSaPhase.Established;
        step.Timer(ResponderOptions.HalfOpenTimerKey, null);
        StartIkeSaLifetime(step);
        var payloads = new List<Payload>(auth.Payloads);
        payloads.AddRange(_mobike.IkeAuthResponseNotifies(datagram.Local));
        payloads.AddRange(MessageIdSyncSupportNotify());
        payloads.AddRange(ReplayCounterSyncSupportNotify());

        var configurator = new ConfigurationResponder(_policy, _services);
        var configuration = leased is null ? configurator.Assign(auth.PeerIdentity, auth.Child.Cp) : configurator.Answer(auth.Child.Cp, leased);
        if (configuration.AddressFailure)
        {
            // RFC 7296 §3.15.4: the IKE SA is still created, without a child SA.
            payloads.Add(NotifyPayload.Create(NotifyType.InternalAddressFailure));
            step.Emit(new IkeSaEstablished(auth.PeerIdentity, [], datagram.Remote) { PeerSupportsRedirect = _peerSupportsRedirect });
            return payloads;
        }
        if (configuration.Reply is not null)
            payloads.Add(configuration.Reply);
        VirtualAddresses = configuration.Addresses;

        bool udp = Nat.Any || datagram.Local.Port == IkePorts.NatTraversal;
        var child = new ChildSaResponder(_policy, _services)
            .Create(auth.Child, configuration.Addresses, _crypto!, new ChildSaPath(datagram.Local, datagram.Remote, udp));
        payloads.AddRange(child.Payloads);
        step.Emit(new IkeSaEstablished(auth.PeerIdentity, configuration.Addresses, datagram.Remote) { PeerSupportsRedirect = _peerSupportsRedirect });
        if (child.Installation is { } sa)
        {
            _children.Add(sa);
            StartFirstChildLife(child.Payloads, sa, step);
            step.Emit(new ChildSaEstablished(sa));
        }
        return payloads;
    }

    /// <summary>
    /// INFORMATIONAL (RFC 7296 §1.4): Delete of the IKE SA → empty response and close; Delete of ESP SAs → our
    /// SPIs of those pairs; empty request (liveness) → empty response; MOBIKE UPDATE_SA_ADDRESSES and COOKIE2
    /// (RFC 4555, <see cref="OnUpdateSaAddresses"/>); NAT_DETECTION_*_IP from a MOBIKE peer → ours in the response.
    /// Notifies we do not know are ignored.
    /// </summary>
    private IReadOnlyList<Payload> OnInformational(OpenedMessage request, IkeDatagram datagram, StepBuilder step)
    {
        var response = new List<Payload>();
        if (Phase == IkeSaPhase.Established && _mobike.InUse && MobikeResponder.IsUpdate(request))
            response.AddRange(OnUpdateSaAddresses(request, datagram, step));
        else if (Phase == IkeSaPhase.Established && _mobike.InUse && request.FindNotify(NotifyType.NatDetectionSourceIp) is not null)
        {
            // RFC 4555 §3.8: a MOBIKE initiator puts NAT_DETECTION_*_IP into INFORMATIONAL requests (strongSwan: every
            // DPD) to find out whether its NAT mapping changed; our answer carries ours, computed for the addresses the
            // request came from/to. Nothing moves here — the peer sends UPDATE_SA_ADDRESSES when the mapping changed.
            response.AddRange(NatDetection.BuildResponseNotifies(InitiatorSpi, ResponderSpi, datagram.Local, datagram.Remote));
        }
        if (MobikeResponder.Cookie2Echo(request) is { } cookie2)
            response.Add(cookie2);
        if (request.All<DeletePayload>().Any(d => d.Protocol == ProtocolId.Ike))
        {
            Close(step, "deleted by peer");
            return [];
        }
        response.AddRange(OnChildDeletes(request, step));
        return response;
    }

    /// <summary>Delete of ESP SAs (RFC 7296 §1.4.1) → our SPIs of those pairs; on the current or a retired IKE SA.</summary>
    private List<Payload> OnChildDeletes(OpenedMessage request, StepBuilder step)
    {
        var response = new List<Payload>();
        foreach (var delete in request.All<DeletePayload>())
        {
            if (delete.Protocol != ProtocolId.Esp)
                continue;
            var ours = new List<uint>();
            foreach (var spi in delete.Spis)
            {
                if (_children.RemoveByOutboundSpi(spi) is { } removed)
                {
                    ours.Add(removed.InboundSpi);
                    step.Emit(new ChildSaDeleted(removed.InboundSpi));
                    _services.ReleaseEspSpi(removed.InboundSpi);
                    ForgetLife(removed.InboundSpi, step);
                }
            }
            if (ours.Count > 0)
                response.Add(new DeletePayload(ProtocolId.Esp, ours));
        }
        return response;
    }

    private void OnTimer(TimerFired timer, StepBuilder step)
    {
        if (OnRedirectTimer(timer, step) || OnMessageIdSyncTimer(timer, step))
            return;
        if (timer.Key == ResponderOptions.HalfOpenTimerKey && Phase != IkeSaPhase.Established)
            Close(step, "half-open timeout");
        else
        {
            OnMobilityTimer(timer, step);
            OnRekeyTimer(timer, step);
        }
    }

    /// <summary>Tells the peer (INFORMATIONAL request with Delete of the IKE SA, not retransmitted) and terminates.</summary>
    private void OnClose(CloseRequested close, StepBuilder step)
    {
        if (_crypto is not null && Local is not null && Remote is not null)
        {
            var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, ExchangeType.Informational, OwnFlags(IkeHeaderFlags.None), _requests.TakeMessageId());
            var message = SkMessages.Seal(header, [new DeletePayload(ProtocolId.Ike, [])], _crypto.Outbound);
            step.Send(new IkeDatagram(message, Local, Remote));
        }
        Close(step, close.Reason);
    }

    private void Respond(IkeHeader request, IReadOnlyList<Payload> payloads, IkeDatagram datagram, StepBuilder step)
    {
        var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, request.ExchangeType, OwnFlags(IkeHeaderFlags.Response), request.MessageId);
        var messages = SkFragments.Seal(header, payloads, _crypto!.Outbound, MaxMessageSize(datagram.Local, datagram.Remote));
        _cachedResponse = messages;
        _lastAnsweredId = request.MessageId;
        _expectedRequestId = request.MessageId + 1;
        foreach (var message in messages)
            step.Send(new IkeDatagram(message, datagram.Local, datagram.Remote));
    }

    /// <summary>Removes every child SA and gives back SPIs and addresses, then ends the SA.</summary>
    private void Close(StepBuilder step, string reason)
    {
        foreach (var child in _children.RemoveAll())
        {
            step.Emit(new ChildSaDeleted(child.InboundSpi));
            _services.ReleaseEspSpi(child.InboundSpi);
        }
        if (PeerIdentity is not null && VirtualAddresses.Count > 0)
            _services.ReleaseAddresses(PeerIdentity, VirtualAddresses);
        step.Terminate(reason);
    }

    private void Drop(StepBuilder step, IkeDropReason reason)
    {
        DroppedMessages++;
        if (reason == IkeDropReason.IntegrityFailure)
            IntegrityFailures++;
        step.Emit(new IkeMessageDropped(reason));
    }

    private void Terminate()
    {
        Phase = IkeSaPhase.Terminated;
        _crypto?.Dispose();
        ReleaseRekeyState();
    }

    public void Dispose() => Terminate();

    public override string ToString() => $"IkeSaResponder({InitiatorSpi:x16}/{ResponderSpi:x16}, {Phase}, peer={PeerIdentity ?? "-"})";
}

/// <summary>Well-known IKE ports (RFC 7296 §2.23, RFC 3948).</summary>
public static class IkePorts
{
    public const int Ike = 500;
    public const int NatTraversal = 4500;
}
