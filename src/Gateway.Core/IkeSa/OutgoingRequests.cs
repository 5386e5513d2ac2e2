using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>What a retransmission timer did.</summary>
internal enum RetransmitOutcome
{
    /// <summary>Stale, or nothing outstanding.</summary>
    None,

    Retransmitted,

    /// <summary>All retransmissions went unanswered: the peer is unreachable. The request stays outstanding (same message ID) so it can be resumed.</summary>
    Failed,
}

/// <summary>
/// The one tracker of our own requests on the current IKE SA — liveness probes, return-routability checks, rekeys,
/// child deletes: one message-ID counter (from 0 on each IKE SA, RFC 7296 §2.2), one request outstanding at a time
/// (window 1, §2.3) with the rest queued in order, retransmission with the back-off of
/// <see cref="ResponderOptions.RetransmitIntervals"/>, matching of responses, and resending after a move or dormancy.
/// Sealing and addressing are the owner's (current keys, SPIs, I flag, path, fragmentation), given as a delegate so a
/// move or an IKE SA switch retargets the next (re)transmission. Sending the next queued request is the owner's call
/// too (<see cref="TrySendNext"/>): it must not happen between an answer and the IKE SA switch that answer causes.
/// </summary>
internal sealed class OutgoingRequests(ResponderOptions options, Func<OwnRequest, IReadOnlyList<IkeDatagram>> seal)
{
    /// <summary>Used only when the configured back-off list is empty (one transmission, then failure).</summary>
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(2);

    private readonly LinkedList<OwnRequest> _queue = new();
    private IReadOnlyList<IkeDatagram> _sent = [];
    private int _attempt;

    /// <summary>The message ID our next request on the current IKE SA gets.</summary>
    public uint NextMessageId { get; private set; }

    /// <summary>The outstanding request, if any.</summary>
    public OwnRequest? Current { get; private set; }

    /// <summary>True after <see cref="RetransmitOutcome.Failed"/> until <see cref="Resend"/> or an answer.</summary>
    public bool GaveUp { get; private set; }

    public bool Busy => Current is not null || _queue.Count > 0;

    public IEnumerable<OwnRequest> Queued => _queue;

    /// <summary>Queues a request behind the others; the owner then calls <see cref="TrySendNext"/>.</summary>
    public void Enqueue(OwnRequest request) => _queue.AddLast(request);

    /// <summary>Removes a queued (not yet sent) request; false when it is not queued.</summary>
    public bool Cancel(OwnRequest request) => _queue.Remove(request);

    /// <summary>Sends the first queued request when none is outstanding; returns it, or null.</summary>
    public OwnRequest? TrySendNext(StepBuilder step)
    {
        if (Current is not null || _queue.First is not { } first)
            return null;
        _queue.RemoveFirst();
        var next = first.Value;
        next.MessageId = NextMessageId++;
        Current = next;
        GaveUp = false;
        _attempt = 0;
        _sent = seal(next);
        Transmit(step);
        return next;
    }

    /// <summary>Takes a message ID for a request sent outside the tracker and never retransmitted (Delete on close).</summary>
    public uint TakeMessageId() => NextMessageId++;

    /// <summary>The outstanding request this response answers, or null (late duplicate, unknown ID, wrong exchange).</summary>
    public OwnRequest? Match(IkeHeader response) =>
        Current is { } r && r.MessageId == response.MessageId && r.Exchange == response.ExchangeType ? r : null;

    /// <summary>The outstanding request was answered: stop its timer. The next one goes with <see cref="TrySendNext"/>.</summary>
    public OwnRequest Complete(StepBuilder step)
    {
        var done = Current ?? throw new InvalidOperationException("nothing outstanding");
        Current = null;
        GaveUp = false;
        _sent = [];
        step.Timer(ResponderOptions.RequestRetransmitTimerKey, null);
        return done;
    }

    public RetransmitOutcome OnTimer(StepBuilder step)
    {
        if (Current is null || GaveUp)
            return RetransmitOutcome.None;
        if (_attempt + 1 >= options.RetransmitIntervals.Count)
        {
            GaveUp = true;
            return RetransmitOutcome.Failed;
        }
        _attempt++;
        Transmit(step);
        return RetransmitOutcome.Retransmitted;
    }

    /// <summary>
    /// Sends the outstanding request again from the first back-off step, sealed for the current path: after the peer
    /// moved (RFC 4555: outstanding requests follow the new address) or came back from dormancy.
    /// </summary>
    public void Resend(StepBuilder step)
    {
        if (Current is null)
            return;
        GaveUp = false;
        _attempt = 0;
        _sent = seal(Current);
        Transmit(step);
    }

    /// <summary>
    /// The IKE SA was replaced by a rekey: message IDs start again at 0 on the new one. Only called with nothing
    /// outstanding (a switch waits for our requests, §2.25.2); queued requests are sealed for the new SA when sent.
    /// Returns the next ID of the old SA (its Delete goes with it).
    /// </summary>
    public uint StartNewIkeSa()
    {
        if (Current is not null)
            throw new InvalidOperationException("an own request is outstanding on the IKE SA being replaced");
        uint old = NextMessageId;
        NextMessageId = 0;
        return old;
    }

    /// <summary>Waits before retransmission <paramref name="attempt"/> (0: after the first transmission), per the options.</summary>
    public static TimeSpan Wait(ResponderOptions options, int attempt) =>
        options.RetransmitIntervals.Count > 0 ? options.RetransmitIntervals[Math.Min(attempt, options.RetransmitIntervals.Count - 1)] : DefaultWait;

    /// <summary>Sends all datagrams (all fragments) of the outstanding request and arms the timer for this attempt.</summary>
    private void Transmit(StepBuilder step)
    {
        foreach (var d in _sent)
            step.Send(d);
        step.Timer(ResponderOptions.RequestRetransmitTimerKey, Wait(options, _attempt));
    }
}
