using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// MOBIKE (RFC 4555), liveness and dormancy (RFC 7296 §2.4), our own requests and IKE fragmentation (RFC 7383) of
// one IKE SA. A separate part of IkeSaResponder so the exchange dispatch in IkeSaResponder.cs stays small and other
// branches (rekeying) merge without touching this code.
public sealed partial class IkeSaResponder
{
    private InboundMessages _inbound = null!;
    private OutgoingRequests _requests = null!;
    private LivenessMonitor _liveness = null!;
    private MobikeResponder _mobike = null!;

    /// <summary>Where IKE messages to the peer go and where the child SAs' ESP goes (they differ while a return-routability check runs).</summary>
    private PeerPath? _ikePath, _trafficPath;

    /// <summary>A MOBIKE move waiting for the answer to our return-routability request with this COOKIE2.</summary>
    private (byte[] Cookie, PeerPath Path)? _pendingTrafficMove;

    /// <summary>Whether the peer answers; see <see cref="LivenessStateChanged"/>.</summary>
    public LivenessState Liveness => _liveness.State;

    /// <summary>MOBIKE_SUPPORTED was exchanged: only UPDATE_SA_ADDRESSES moves this SA.</summary>
    public bool MobikeInUse => _mobike.InUse;

    /// <summary>IKEV2_FRAGMENTATION_SUPPORTED was exchanged in IKE_SA_INIT.</summary>
    public bool FragmentationNegotiated => _inbound.FragmentationNegotiated;

    /// <summary>Whether the child SAs' ESP is UDP-encapsulated now (false before establishment).</summary>
    public bool UdpEncapsulated => _trafficPath?.UdpEncapsulated ?? false;

    /// <summary>True while a MOBIKE move waits for its return-routability answer.</summary>
    public bool ReturnRoutabilityPending => _pendingTrafficMove is not null;

    /// <summary>Fragment bytes held for reassembly (authenticated fragments only; bounded by the options).</summary>
    public int BufferedFragmentBytes => _inbound.BufferedBytes;

    private void InitializeMobility()
    {
        _inbound = new InboundMessages(_options);
        _requests = new OutgoingRequests(_options, SealOwnRequest);
        _liveness = new LivenessMonitor(_options);
        _mobike = new MobikeResponder(_options);
    }

    /// <summary>IKE_AUTH succeeded: paths are known, the idle clock starts.</summary>
    private void StartMobility(DateTime nowUtc, StepBuilder step)
    {
        _ikePath = _trafficPath = PeerPath.Of(Local!, Remote!, Nat);
        _liveness.Start(nowUtc, step);
    }

    /// <summary>The IKE message size above which we fragment toward this path, or null (not negotiated: never fragment).</summary>
    private int? MaxMessageSize(System.Net.IPEndPoint local, System.Net.IPEndPoint remote) =>
        _inbound.FragmentationNegotiated ? SkFragments.MaxMessageSize(_options.FragmentSize, local, remote) : null;

    private IReadOnlyList<IkeDatagram> SealOwnRequest(OwnRequest request)
    {
        // R clear (a request); I set only when we are the original initiator of the current IKE SA (after our own
        // IKE SA rekey, RFC 7296 §2.18); the SPIs of the current IKE SA in their slots, ours among them.
        var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, request.Exchange, OwnFlags(IkeHeaderFlags.None), request.MessageId);
        var messages = SkFragments.Seal(header, request.Payloads, _crypto!.Outbound, MaxMessageSize(Local!, Remote!));
        return messages.Select(m => new IkeDatagram(m, Local!, Remote!)).ToArray();
    }

    /// <summary>
    /// Where an authenticated request from a possibly new address leaves the SA. Before establishment the SA follows
    /// the peer (it floats from port 500 to 4500 during IKE_AUTH). With MOBIKE only UPDATE_SA_ADDRESSES moves it
    /// (RFC 4555 §3.5); without MOBIKE a peer behind a NAT whose mapping changed is followed (RFC 7296 §2.23).
    /// </summary>
    private void FollowPeer(IkeDatagram datagram, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established)
        {
            Local = datagram.Local;
            Remote = datagram.Remote;
            return;
        }
        if (_mobike.InUse || !Nat.PeerBehindNat || (datagram.Local.Equals(Local) && datagram.Remote.Equals(Remote)))
            return;
        var path = PeerPath.Of(datagram.Local, datagram.Remote, Nat);
        MoveIke(path, step);
        MoveTraffic(path, step);
    }

    /// <summary>Bookkeeping after any authenticated request: the peer is alive; a dormant peer gets our request again.</summary>
    private void AfterAuthenticatedRequest(DateTime nowUtc, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established || step.IsTerminated)
            return;
        _liveness.Heard(nowUtc);
        if (_liveness.State == LivenessState.Dormant)
        {
            _liveness.Reappeared("authenticated request from the peer", step);
            ResendOwnRequest(step);
        }
    }

    private void OnPeerActivity(PeerActivity activity, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established)
            return;
        _liveness.Heard(activity.LastInboundUtc);
        if (_liveness.HeardSinceDormant)
        {
            _liveness.Reappeared("inbound ESP from the peer", step);
            ResendOwnRequest(step);
        }
    }

    /// <summary>
    /// A response (R flag) on the current IKE SA: it can only answer our outstanding request. The answer goes to
    /// whichever exchange sent the request; any answer proves the peer alive. Then the next queued request goes out
    /// (after an IKE SA switch the answer caused, so with the new SA's keys and IDs).
    /// </summary>
    private void OnResponse(IkeDatagram datagram, IkeHeader header, DateTime nowUtc, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established || _requests.Match(header) is not { } request)
        {
            Drop(step, IkeDropReason.Unexpected);
            return;
        }
        var received = _inbound.Read(datagram.Message.Span, header, _crypto!.Inbound);
        if (received.Dropped is { } why)
        {
            Drop(step, why);
            return;
        }
        if (received.Message is not { } response)
            return; // a fragment, kept until its message is complete
        _requests.Complete(step);
        _liveness.Answered(nowUtc, step);
        switch (request)
        {
            case ReturnRoutabilityCheck check:
                OnReturnRoutabilityAnswered(check, response, step);
                break;
            case LivenessProbe:
            case RedirectRequest: // acknowledged; the SA waits for the peer's Delete or the redirect deadline
                break;
            default:
                OnRekeyOrDeleteAnswered(request, response, step);
                break;
        }
        if (Phase == IkeSaPhase.Established && !step.IsTerminated)
            SendNextOwnRequest(step);
    }

    /// <summary>Resends our outstanding request (same message ID) to where the peer is now.</summary>
    private void ResendOwnRequest(StepBuilder step)
    {
        if (_switchAfterResponse is null)
            _requests.Resend(step);
    }

    /// <summary>
    /// INFORMATIONAL with UPDATE_SA_ADDRESSES (RFC 4555 §3.5) from an authenticated peer: NAT detection again, the
    /// IKE SA moves to the request's addresses at once, the child SAs after a return-routability check when one is
    /// configured and the address changed (only the encapsulation changing needs none). Returns the response payloads.
    /// </summary>
    private IReadOnlyList<Payload> OnUpdateSaAddresses(OpenedMessage request, IkeDatagram datagram, StepBuilder step)
    {
        var update = _mobike.EvaluateUpdate(request, datagram.Local, datagram.Remote, InitiatorSpi, ResponderSpi);
        if (update.NewPath is not { } path)
        {
            step.Emit(new PeerAddressChangeRefused(datagram.Remote, update.Refusal ?? "refused"));
            return update.Response;
        }
        Nat = update.Nat;
        if (path != _ikePath)
        {
            MoveIke(path, step);
            if (!_requests.GaveUp)
                ResendOwnRequest(step); // an outstanding request follows the peer (RFC 4555 §3.5)
        }
        if (path == _trafficPath)
            _pendingTrafficMove = null; // back on the path the traffic already uses
        else if (_options.ReturnRoutabilityCheck && !SameAddresses(path, _trafficPath!.Value))
        {
            var check = MobikeResponder.ReturnRoutabilityCheck(_services);
            _pendingTrafficMove = (check.Cookie2, path);
            Enqueue(check, step);
        }
        else
            MoveTraffic(path, step);
        return update.Response;
    }

    private void OnReturnRoutabilityAnswered(ReturnRoutabilityCheck request, OpenedMessage response, StepBuilder step)
    {
        if (_pendingTrafficMove is not { } pending || !pending.Cookie.AsSpan().SequenceEqual(request.Cookie2))
            return; // an older check, superseded by a later UPDATE_SA_ADDRESSES
        if (!MobikeResponder.EchoesCookie(request, response))
        {
            _pendingTrafficMove = null;
            step.Emit(new PeerAddressChangeRefused(pending.Path.Remote, "return-routability answer without our COOKIE2"));
            return;
        }
        MoveTraffic(pending.Path, step);
    }

    private void MoveIke(PeerPath path, StepBuilder step)
    {
        Local = path.Local;
        Remote = path.Remote;
        _ikePath = path;
        step.Emit(new PeerAddressChanged(path.Local, path.Remote, path.UdpEncapsulated));
    }

    /// <summary>Moves every child SA (same SPIs, keys and virtual addresses) to the path.</summary>
    private void MoveTraffic(PeerPath path, StepBuilder step)
    {
        _trafficPath = path;
        _pendingTrafficMove = null;
        foreach (var moved in _children.MoveAll(path.Local, path.Remote, path.UdpEncapsulated))
            step.Emit(new ChildSaMoved(moved.InboundSpi, path.Local, path.Remote, path.UdpEncapsulated));
    }

    private static bool SameAddresses(PeerPath a, PeerPath b) => a.Local.Equals(b.Local) && a.Remote.Equals(b.Remote);

    private void OnMobilityTimer(TimerFired timer, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established)
            return;
        switch (timer.Key)
        {
            case ResponderOptions.LivenessTimerKey:
                if (_liveness.ProbeDue(timer.NowUtc, _requests.Busy, step))
                    Enqueue(new LivenessProbe(), step);
                break;
            case ResponderOptions.RequestRetransmitTimerKey:
                if (_requests.OnTimer(step) == RetransmitOutcome.Failed)
                    _liveness.RequestFailed(timer.NowUtc, step);
                break;
            case ResponderOptions.DormantGraceTimerKey:
                if (_liveness.GraceExpired())
                    Close(step, "dormant grace period over");
                break;
        }
    }
}
