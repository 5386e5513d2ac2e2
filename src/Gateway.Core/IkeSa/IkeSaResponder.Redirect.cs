using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// Redirect of an established SA (RFC 5685 §5), INITIAL_CONTACT (RFC 7296 §2.4) and silent discard: kept apart from
// the exchange core so parallel work on it merges cleanly. The redirect request itself is one more kind of our own
// request (RedirectRequest) on the shared tracker: same message-ID counter, window and back-off as probes and rekeys.
public sealed partial class IkeSaResponder
{
    private bool _peerSupportsRedirect;

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
        if (RedirectedTo is null)
        {
            RedirectedTo = redirect.Gateway;
            // Sent now, or right after the request of ours that is outstanding (window of 1); retransmitted by the
            // tracker. The deadline runs from the command, not from the send: the operator's timeout is what counts.
            Enqueue(new RedirectRequest(redirect.Gateway), step);
            step.Timer(ResponderOptions.RedirectDeadlineTimerKey, _options.RedirectTimeout);
        }
        // A second command while one is under way changes nothing: the first target stands.
        step.Emit(new RedirectAnswered(RedirectOutcome.Sent, RedirectedTo ?? redirect.Gateway));
    }

    /// <summary>The redirect deadline; false for other timer keys.</summary>
    private bool OnRedirectTimer(TimerFired timer, StepBuilder step)
    {
        if (timer.Key != ResponderOptions.RedirectDeadlineTimerKey)
            return false;
        if (RedirectedTo is not null && Phase == IkeSaPhase.Established)
        {
            // The client did not delete the SA in time: delete it ourselves (telling it, in case it is still there).
            OnClose(new CloseRequested($"redirected to {RedirectedTo}; the client did not move in {_options.RedirectTimeout}", timer.NowUtc), step);
        }
        return true;
    }
}
