using Akka.Actor;
using Akka.Event;

namespace Gateway.Core.Sessions;

// Persistence of the session (issue 5): with SessionDependencies.Persistence set, the session first recovers its
// journal (stashing what arrives meanwhile); a recovered established IKE SA is restored and resumes (re-installing its
// child SAs, running its timers). An IKE SA that ends is forgotten (history deleted, see SessionJournal) before the session
// passivates, so it never comes back. A node stopping (handoff, shutdown) stops the session without forgetting.
public sealed partial class SessionActor
{
    public IStash Stash { get; set; } = null!;

    private int _stashedWhileRecovering;

    protected override void PreStart()
    {
        if (_deps.Persistence is null)
            return;
        // An IKE_SA_INIT opening this session right now drew its id at random: nothing of it can be in the journal.
        bool fresh = _deps.Gate.IsOpening(_session);
        _journal = Context.ActorOf(SessionJournal.Props(_session, fresh).WithMailboxOf(_deps), "journal");
        Context.Watch(_journal);
        if (!fresh)
            BecomeStacked(Recovering);
    }

    private void Recovering(object message)
    {
        switch (message)
        {
            case SessionJournal.Recovered recovered:
                UnbecomeStacked();
                if (recovered.Snapshot is { } snapshot)
                {
                    _openedBy = (snapshot.ResponderSpi, snapshot.InitiatorSpi);
                    _ikeSa = Context.ActorOf(IkeSaActor.PropsRestored(snapshot, _deps, _journal!), "ike-sa");
                    Context.Watch(_ikeSa);
                }
                else if (_stashedWhileRecovering == 0)
                {
                    Passivate(); // started (remember-entities) with nothing to resume
                }
                Stash.UnstashAll();
                break;
            case Terminated t when t.ActorRef.Equals(_journal):
                // Recovery failed (the journal logged why): carry on without persistence rather than stash forever.
                _journal = null;
                UnbecomeStacked();
                Stash.UnstashAll();
                break;
            default:
                _stashedWhileRecovering++;
                Stash.Stash();
                break;
        }
    }

    /// <summary>The journal stopped (a write failed): the session runs on unpersisted; an ended SA no longer waits for it.</summary>
    private void OnJournalGone()
    {
        _journal = null;
        _log.Warning("Session {0:x12}: journal stopped; this session is no longer persisted", _session);
        if (_ikeSa is null)
            Passivate();
    }

    /// <summary>The IKE SA ended for good: forget its state first (the reply passivates the session).</summary>
    private void OnIkeSaEnded()
    {
        if (_journal is null)
        {
            OnIkeSaGone();
            return;
        }
        _ikeSa = null;
        _journal.Tell(new SessionJournal.Forget("IKE SA ended"));
    }
}
