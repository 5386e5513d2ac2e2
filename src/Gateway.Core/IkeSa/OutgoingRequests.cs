using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>Why we sent a request of our own (decides what its answer, or its failure, means).</summary>
internal enum OwnRequestPurpose
{
    /// <summary>Empty INFORMATIONAL: is the peer alive (RFC 7296 §1.4, §2.4)?</summary>
    Liveness,

    /// <summary>INFORMATIONAL with COOKIE2 to a MOBIKE peer's new address (RFC 4555 §3.8).</summary>
    ReturnRoutability,

    /// <summary>Anything else (rekeys later).</summary>
    Other,
}

/// <summary>A request we sent (or will send): its message ID once assigned, and what it is for.</summary>
internal sealed record OwnRequest(OwnRequestPurpose Purpose, ExchangeType Exchange, IReadOnlyList<Payload> Payloads)
{
    public uint MessageId { get; set; }

    /// <summary>COOKIE2 data of a return-routability check, to compare with the echo.</summary>
    public byte[]? Cookie2 { get; init; }
}

/// <summary>What a retransmission timer did.</summary>
internal enum RetransmitOutcome
{
    /// <summary>Stale or nothing outstanding.</summary>
    None,

    Retransmitted,

    /// <summary>All retransmissions went unanswered: the peer is unreachable. The request stays outstanding (same message ID) so it can be resumed.</summary>
    Failed,
}

/// <summary>
/// Our own requests on this IKE SA (we are the responder of the SA, so the I flag is clear and the message IDs are
/// our own sequence from 0, RFC 7296 §2.2): one outstanding at a time (window 1), the rest queued; retransmission
/// with the configured back-off; matching of responses. Sealing and addressing are the owner's (current keys,
/// current peer address, fragmentation), given as a delegate so a move retargets the next (re)transmission.
/// </summary>
internal sealed class OutgoingRequests(ResponderOptions options, Func<OwnRequest, IReadOnlyList<Transport.IkeDatagram>> seal)
{
    /// <summary>Used only when the configured back-off list is empty (one transmission, then failure).</summary>
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(2);

    private readonly Queue<OwnRequest> _queue = new();
    private IReadOnlyList<Transport.IkeDatagram> _sent = [];
    private int _attempt;

    /// <summary>The message ID our next request gets.</summary>
    public uint NextMessageId { get; private set; }

    /// <summary>The outstanding request, if any.</summary>
    public OwnRequest? Current { get; private set; }

    /// <summary>True after <see cref="RetransmitOutcome.Failed"/> until <see cref="Resume"/> or an answer.</summary>
    public bool GaveUp { get; private set; }

    public bool Busy => Current is not null || _queue.Count > 0;

    public bool IsQueuedOrCurrent(OwnRequestPurpose purpose) => Current?.Purpose == purpose || _queue.Any(r => r.Purpose == purpose);

    /// <summary>Sends the request now when nothing is outstanding, else queues it behind.</summary>
    public void Enqueue(OwnRequest request, StepBuilder step)
    {
        _queue.Enqueue(request);
        if (Current is null)
            SendNext(step);
    }

    /// <summary>Takes a message ID for a request sent outside the tracker and never retransmitted (Delete on close).</summary>
    public uint TakeMessageId() => NextMessageId++;

    /// <summary>The outstanding request this response answers, or null (late duplicate, unknown ID, wrong exchange).</summary>
    public OwnRequest? Match(IkeHeader response) =>
        Current is { } r && r.MessageId == response.MessageId && r.Exchange == response.ExchangeType ? r : null;

    /// <summary>The outstanding request was answered: stop its timer and send the next queued one.</summary>
    public OwnRequest Complete(StepBuilder step)
    {
        var done = Current ?? throw new InvalidOperationException("nothing outstanding");
        Current = null;
        GaveUp = false;
        _sent = [];
        step.Timer(ResponderOptions.RequestRetransmitTimerKey, null);
        SendNext(step);
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

    private void SendNext(StepBuilder step)
    {
        if (!_queue.TryDequeue(out var next))
            return;
        next.MessageId = NextMessageId++;
        Current = next;
        GaveUp = false;
        _attempt = 0;
        _sent = seal(next);
        Transmit(step);
    }

    /// <summary>Sends all datagrams (all fragments) of the outstanding request and arms the timer for this attempt.</summary>
    private void Transmit(StepBuilder step)
    {
        foreach (var d in _sent)
            step.Send(d);
        var intervals = options.RetransmitIntervals;
        step.Timer(ResponderOptions.RequestRetransmitTimerKey, intervals.Count > 0 ? intervals[_attempt] : DefaultWait);
    }
}
