using Akka.Actor;

namespace Gateway.Core.Sessions;

// Graceful leave (issue 5 §4): when its node leaves, sharding hands the session over with HandOff instead of a
// PoisonPill. The IKE SA actor stops first (after the message it is handling, so its last state has gone to the
// journal), then the session waits until every state it handed to the journal is stored, and only then does it
// stop — so the node that takes the shard over recovers the latest state. Nothing is forgotten: this is not
// the SA ending, and its address lease stays. Sharding does not restart a handed-off entity by itself (no
// remember-entities), so a session with an IKE SA asks the session waker, once its state is stored, to wake it wherever
// its shard goes next.
public sealed partial class SessionActor
{
    /// <summary>The hand-off stop message (<see cref="Hosting.GatewayCore"/> gives it to sharding).</summary>
    public sealed record HandOff
    {
        public static readonly HandOff Instance = new();
    }

    private bool _wakeAfterHandOff;
    private bool _handingOff; // and waiting for the journal's writes in flight

    private void OnHandOff()
    {
        _wakeAfterHandOff = _ikeSa is not null && _writing;
        BecomeStacked(HandingOff);
        if (_ikeSa is not null)
        {
            Context.Watch(_ikeSa); // only now (SessionActor.SupervisorStrategy says why)
            Context.Stop(_ikeSa); // Terminated → FlushJournal
        }
        else
            FlushJournal();
    }

    private void HandingOff(object message)
    {
        switch (message)
        {
            case Terminated t when t.ActorRef.Equals(_ikeSa):
                _ikeSa = null;
                FlushJournal();
                break;
            default:
                // The IKE SA's last saves and the journal's answers are handled as ever. Sharding buffers the shard's
                // other messages during a hand-off; a straggler goes to the node that takes over only if the client
                // retransmits, which it does.
                if (!OnJournalMessage(message))
                    Unhandled(message);
                break;
        }
    }

    /// <summary>Stops the session once every state handed to the journal is stored (or the journal failed).</summary>
    private void FlushJournal()
    {
        if (_writing && (WriteInFlight || _nextState is not null))
            _handingOff = true; // OnWritten / OnWriteFailed → HandedOff
        else
            HandedOff();
    }

    private void HandedOff()
    {
        if (_wakeAfterHandOff && _writing)
            _deps.SessionWaker.Tell(new WakeAfterHandOff(_session));
        Context.Stop(Self);
    }
}
