using Akka.Actor;
using Akka.Event;

namespace Gateway.Core.Sessions;

// Persistence of the session (issue 5): with SessionDependencies.Persistence set, the session first recovers its
// journal (a SessionJournal child, stashing what arrives meanwhile; then it writes itself, SessionActor.Journal.cs); a recovered established IKE SA is restored and resumes (re-installing its
// child SAs, running its timers). An IKE SA that ends is forgotten (history deleted, see SessionJournal) before the session
// passivates, so it never comes back. A node stopping (handoff, shutdown) stops the session without forgetting.
// A session that an IKE_SA_INIT is opening skips recovery (its id was just drawn at random: nothing of it is in the
// journal). The gate's word alone does not prove that: its entry is released only on the node hosting the session, so
// on a node that admitted an IKE_SA_INIT for a session hosted elsewhere it lingers; should that session fail over to
// this node meanwhile, the session waker starts it here with its state in the journal (a kill -9 failover lost tunnels
// so). So the session is fresh only when its first message is that IKE_SA_INIT; a start by any other message (a wake,
// a retransmission after a move) recovers.
public sealed partial class SessionActor
{
    public IStash Stash { get; set; } = null!;

    private int _stashedWhileRecovering;
    private IActorRef? _recovery; // the SessionJournal child while it recovers

    /// <summary>Sent to itself at start: arriving first, it tells the session nothing opened it.</summary>
    private sealed record StartedWithoutMessage
    {
        public static readonly StartedWithoutMessage Instance = new();
    }

    protected override void PreStart()
    {
        if (_deps.Persistence is null)
            return;
        if (_deps.Gate.IsOpening(_session))
        {
            BecomeStacked(Starting);
            Self.Tell(StartedWithoutMessage.Instance);
        }
        else
        {
            StartJournal(fresh: false);
        }
    }

    /// <summary>The first message decides whether the session is fresh (see above).</summary>
    private void Starting(object message)
    {
        UnbecomeStacked();
        if (message is OpenIkeSa open)
        {
            StartJournal(fresh: true);
            OnOpen(open);
            return;
        }

        StartJournal(fresh: false);
        if (message is not StartedWithoutMessage)
        {
            _stashedWhileRecovering++;
            Stash.Stash();
        }
    }

    private void StartJournal(bool fresh)
    {
        if (fresh)
        {
            StartWriting(0);
            return;
        }
        _recovery = Context.ActorOf(SessionJournal.Props(_session).WithMailboxOf(_deps), "journal");
        Context.Watch(_recovery);
        BecomeStacked(Recovering);
    }

    private void Recovering(object message)
    {
        switch (message)
        {
            case SessionJournal.Recovered recovered:
                Context.Unwatch(_recovery!); // it stops now
                _recovery = null;
                UnbecomeStacked();
                StartWriting(recovered.LastSequenceNr);
                if (recovered.Snapshot is { } snapshot)
                {
                    _openedBy = (snapshot.ResponderSpi, snapshot.InitiatorSpi);
                    _ikeSa = IkeSaActor.Spawn(Context, _deps, new IkeSaActor.Start(snapshot.LocalSpi, Self, snapshot), "ike-sa");
                }
                else if (_stashedWhileRecovering == 0)
                {
                    Passivate(); // started with nothing to resume
                }
                Stash.UnstashAll();
                break;
            case Terminated t when t.ActorRef.Equals(_recovery):
                // Recovery failed (the journal logged why): carry on without persistence rather than stash forever.
                _recovery = null;
                _log.Warning("Session {0:x12}: recovery failed; this session is not persisted", _session);
                UnbecomeStacked();
                Stash.UnstashAll();
                break;
            case StartedWithoutMessage:
                break; // another message came first and is stashed
            default:
                _stashedWhileRecovering++;
                Stash.Stash();
                break;
        }
    }

    /// <summary>
    /// <see cref="SessionWaker"/> asks: by now the session has recovered (a wake that started it was stashed until
    /// then), so it answers; with nothing to resume it stops.
    /// </summary>
    private void OnWake()
    {
        Sender.Tell(new SessionAwake(_session));
        if (_ikeSa is null)
            Passivate();
    }

    /// <summary>
    /// The address registry asks before freeing this session's lease (it found no journal for it): held by a running
    /// IKE SA — one whose first write failed runs unpersisted — the lease is kept. Like a wake, a probe that started
    /// the session was stashed until recovery; with nothing to resume the session stops.
    /// </summary>
    private void OnProbe()
    {
        Sender.Tell(new SessionProbed(_session, Running: _ikeSa is not null));
        if (_ikeSa is null)
            Passivate();
    }
}
