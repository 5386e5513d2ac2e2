namespace Gateway.Core.IkeSa;

/// <summary>
/// Liveness and dormancy of one established IKE SA (RFC 7296 §2.4): when nothing authenticated came from the peer
/// (IKE or ESP) for the liveness interval we probe it; when our request fails after all retransmissions the SA turns
/// <see cref="LivenessState.Dormant"/> and is kept for the grace period; signs of life make it
/// <see cref="LivenessState.WaitingToReconnect"/> (our request is resent), and an answer makes it
/// <see cref="LivenessState.Connected"/> again. Only bookkeeping and timers here; the responder sends the requests.
/// </summary>
internal sealed class LivenessMonitor(ResponderOptions options)
{
    private DateTime _lastHeardUtc;
    private DateTime _dormantSinceUtc;

    public LivenessState State { get; private set; } = LivenessState.Connected;

    public bool Started { get; private set; }

    /// <summary>Established: the idle clock starts now.</summary>
    public void Start(DateTime nowUtc, StepBuilder step)
    {
        Started = true;
        _lastHeardUtc = nowUtc;
        Arm(options.LivenessInterval, step);
    }

    /// <summary>Something authenticated came from the peer at <paramref name="atUtc"/>.</summary>
    public void Heard(DateTime atUtc)
    {
        if (atUtc > _lastHeardUtc)
            _lastHeardUtc = atUtc;
    }

    /// <summary>True when the peer was heard after it went dormant (a sign of life worth resending our request for).</summary>
    public bool HeardSinceDormant => State == LivenessState.Dormant && _lastHeardUtc > _dormantSinceUtc;

    /// <summary>
    /// The liveness timer fired: true when a probe is due. Otherwise the timer is re-armed for the rest of the
    /// interval counted from the last time we heard from the peer.
    /// </summary>
    public bool ProbeDue(DateTime nowUtc, bool requestOutstanding, StepBuilder step)
    {
        if (!Started || State != LivenessState.Connected || options.LivenessInterval is not { } interval)
            return false;
        var idle = nowUtc - _lastHeardUtc;
        if (requestOutstanding || idle < interval)
        {
            // An outstanding request is a probe already: its retransmissions decide.
            Arm(requestOutstanding ? interval : interval - idle, step);
            return false;
        }
        return true;
    }

    /// <summary>Our request failed after all retransmissions.</summary>
    public void RequestFailed(DateTime nowUtc, StepBuilder step)
    {
        var before = State;
        State = LivenessState.Dormant;
        _dormantSinceUtc = nowUtc;
        step.Emit(new LivenessStateChanged(LivenessState.Dormant, "no answer to our request after all retransmissions"));
        if (before == LivenessState.Connected)
            step.Timer(ResponderOptions.DormantGraceTimerKey, options.DormantGracePeriod);
    }

    /// <summary>A dormant peer showed signs of life; the caller resends its outstanding request.</summary>
    public void Reappeared(string reason, StepBuilder step)
    {
        if (State != LivenessState.Dormant)
            return;
        State = LivenessState.WaitingToReconnect;
        step.Emit(new LivenessStateChanged(LivenessState.WaitingToReconnect, reason));
    }

    /// <summary>The peer answered one of our requests: two-way reachability is proven.</summary>
    public void Answered(DateTime nowUtc, StepBuilder step)
    {
        Heard(nowUtc);
        if (State == LivenessState.Connected)
        {
            Arm(options.LivenessInterval, step);
            return;
        }
        State = LivenessState.Connected;
        step.Emit(new LivenessStateChanged(LivenessState.Connected, "peer answered"));
        step.Timer(ResponderOptions.DormantGraceTimerKey, null);
        Arm(options.LivenessInterval, step);
    }

    /// <summary>The grace timer fired: true when the SA must now be deleted.</summary>
    public bool GraceExpired() => State != LivenessState.Connected;

    private static void Arm(TimeSpan? after, StepBuilder step)
    {
        if (after is { } t)
            step.Timer(ResponderOptions.LivenessTimerKey, t > TimeSpan.Zero ? t : TimeSpan.Zero);
    }
}
