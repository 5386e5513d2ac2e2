using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// Redirect of an established SA (RFC 5685 §5), INITIAL_CONTACT (RFC 7296 §2.4) and silent discard: kept apart from
// the exchange core so parallel work on it (MOBIKE, rekeying) merges cleanly. Our redirect request keeps its own small
// retransmission; it can move onto a shared own-request tracker once there is one.
public sealed partial class IkeSaResponder
{
    private const int RedirectRetransmissions = 3;

    private bool _peerSupportsRedirect;
    private byte[]? _redirectRequest;
    private uint _redirectMessageId;
    private int _redirectRetransmitted;
    private bool _redirectAnswered;

    /// <summary>True once the peer announced REDIRECT_SUPPORTED in its IKE_SA_INIT request.</summary>
    public bool PeerSupportsRedirect => _peerSupportsRedirect;

    /// <summary>The gateway the peer was told to move to (null: not redirected).</summary>
    public GatewayIdentity? RedirectedTo { get; private set; }

    private void ObserveSaInitForRedirect(IkeMessage request) =>
        _peerSupportsRedirect = request.FindNotify(NotifyType.RedirectSupported) is not null;

    /// <summary>INITIAL_CONTACT in the first IKE_AUTH request (kept across EAP rounds by <see cref="IkeAuthResponder"/>).</summary>
    private void EmitInitialContact(string peerIdentity, StepBuilder step)
    {
        if (_auth?.InitialContact == true)
            step.Emit(new InitialContactReceived(peerIdentity));
    }

    private void OnDiscard(DiscardRequested discard, StepBuilder step) => Close(step, discard.Reason);

    private void OnRedirect(RedirectRequested redirect, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established || _crypto is null || Local is null || Remote is null)
        {
            step.Emit(new RedirectAnswered(RedirectOutcome.NotEstablished, redirect.Gateway));
            return;
        }
        if (!_peerSupportsRedirect)
        {
            // RFC 5685 §5: REDIRECT only goes to a client that said it understands it.
            step.Emit(new RedirectAnswered(RedirectOutcome.PeerLacksRedirectSupport, redirect.Gateway));
            return;
        }
        if (_redirectRequest is null)
        {
            RedirectedTo = redirect.Gateway;
            _redirectMessageId = TakeOwnMessageId();
            var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, ExchangeType.Informational, IkeHeaderFlags.None, _redirectMessageId);
            // In an established SA the notify carries no nonce (RFC 5685 §5, §8.2).
            _redirectRequest = SkMessages.Seal(header, [NotifyPayload.Redirect(redirect.Gateway, [])], _crypto.Outbound);
            step.Send(new IkeDatagram(_redirectRequest, Local, Remote));
            step.Timer(ResponderOptions.RedirectRetransmitTimerKey, _options.RedirectRetransmitInterval);
            step.Timer(ResponderOptions.RedirectDeadlineTimerKey, _options.RedirectTimeout);
        }
        // A second command while one is under way changes nothing: the first target stands.
        step.Emit(new RedirectAnswered(RedirectOutcome.Sent, RedirectedTo ?? redirect.Gateway));
    }

    /// <summary>The peer's answer to our redirect request: authenticated, then retransmission stops. False: not ours.</summary>
    private bool OnRedirectResponse(IkeDatagram datagram, IkeHeader header, StepBuilder step)
    {
        if (_redirectRequest is null || header.MessageId != _redirectMessageId || header.ExchangeType != ExchangeType.Informational
            || header.ResponderSpi != ResponderSpi || !header.IsInitiator)
            return false;
        if (SkMessages.TryOpen(datagram.Message.Span, _crypto!.Inbound, out var why) is null)
        {
            Drop(step, why);
            return true;
        }
        _redirectAnswered = true;
        step.Timer(ResponderOptions.RedirectRetransmitTimerKey, null);
        return true;
    }

    /// <summary>Redirect timers; false for other keys.</summary>
    private bool OnRedirectTimer(TimerFired timer, StepBuilder step)
    {
        switch (timer.Key)
        {
            case ResponderOptions.RedirectRetransmitTimerKey when _redirectRequest is not null && !_redirectAnswered:
                if (_redirectRetransmitted < RedirectRetransmissions)
                {
                    _redirectRetransmitted++;
                    step.Send(new IkeDatagram(_redirectRequest, Local!, Remote!));
                    step.Timer(ResponderOptions.RedirectRetransmitTimerKey, _options.RedirectRetransmitInterval * (1 << _redirectRetransmitted));
                }
                return true;
            case ResponderOptions.RedirectDeadlineTimerKey when _redirectRequest is not null:
                // The client did not delete the SA in time: delete it ourselves (telling it, in case it is still there).
                OnClose(new CloseRequested($"redirected to {RedirectedTo}; the client did not move in {_options.RedirectTimeout}", timer.NowUtc), step);
                return true;
            case ResponderOptions.RedirectRetransmitTimerKey or ResponderOptions.RedirectDeadlineTimerKey:
                return true; // stale
            default:
                return false;
        }
    }
}
