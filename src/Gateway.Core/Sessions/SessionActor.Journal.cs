using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;

namespace Gateway.Core.Sessions;

// The session writes its IKE SA's states straight to the journal plugin (WriteMessages / DeleteMessagesTo, the
// protocol a persistent actor uses), instead of through a persistent actor per session: that actor, its state and
// stashes were about 3 KB of every established tunnel for life (docs/loadtest-profile.md). What it did, done here:
// - one write in flight at a time, in order; a state saved meanwhile waits, and only the latest (each event is the
//   whole state and supersedes all before it);
// - the IKE SA's ticket (SessionJournal.Save) answered with Stored once a write that includes it is stored;
// - older events deleted every DeleteEvery writes; the whole history deleted when the SA ends (a tombstone only if
//   that fails), then the session passivates;
// - a failed or rejected write: logged, and the session runs on unpersisted (the IKE SA is released: Stored(max)).
// A session opened by an IKE_SA_INIT writes from sequence number 1 without asking the journal (its id was just drawn
// at random: nothing of it is there; an ended session's rows are all deleted, GatewaySqlJournal). Should the id have a
// history after all (a 48-bit collision with a live session, or a tombstone), the write is refused as a duplicate and
// the session runs unpersisted — it never overwrites another session's state.
public sealed partial class SessionActor
{
    /// <summary>Older events are deleted every this many writes (each event supersedes all before it).</summary>
    private const int DeleteEvery = 16;

    /// <summary>Echoed by the journal in its answers; one writer per session actor, so any constant.</summary>
    private const int JournalInstanceId = 1;

    /// <summary>The writer of this node's sessions (per process), stored with each event as a persistent actor's would be.</summary>
    private static readonly string JournalWriterGuid = Guid.NewGuid().ToString("N");

    /// <summary>True while the session's states are written (persistence on, recovery done, no write failed).</summary>
    private bool _writing;

    private long _sequenceNr; // the last one handed to the journal
    private long _storedSequenceNr;
    private long _ticketInFlight;
    private IkeSaSnapshot? _nextState; // waits for the write in flight
    private long _nextTicket;
    private string? _forgetting; // the reason while the history of an ended SA is being deleted

    private bool WriteInFlight => _storedSequenceNr < _sequenceNr;

    /// <summary>The journal's messages, in any behaviour; false for anything else.</summary>
    private bool OnJournalMessage(object message)
    {
        switch (message)
        {
            case SessionJournal.Save save:
                OnSave(save);
                return true;
            case SessionJournal.Confirm confirm:
                OnConfirm(confirm.Ticket);
                return true;
            case WriteMessageSuccess written:
                OnWritten(written.Persistent);
                return true;
            case WriteMessageFailure failed:
                OnWriteFailed(failed.Persistent, failed.Cause);
                return true;
            case WriteMessageRejected rejected:
                OnWriteFailed(rejected.Persistent, rejected.Cause);
                return true;
            case WriteMessagesSuccessful or WriteMessagesFailed:
                return true; // each message is answered on its own
            case DeleteMessagesSuccess deleted:
                if (_forgetting is not null && deleted.ToSequenceNr >= _sequenceNr)
                    Forgot();
                return true;
            case DeleteMessagesFailure failed:
                _log.Warning("Session {0:x12}: deleting old events failed: {1}", _session, failed.Cause.Message);
                // The history is still there: a tombstone on top keeps the ended SA from coming back.
                if (_forgetting is { } reason && failed.ToSequenceNr >= _sequenceNr)
                    Write(new IkeSaStateDeleted(reason), 0);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Starts writing after <paramref name="lastSequenceNr"/> (0 for a fresh session).</summary>
    private void StartWriting(long lastSequenceNr)
    {
        _writing = true;
        _sequenceNr = _storedSequenceNr = lastSequenceNr;
    }

    private void OnSave(SessionJournal.Save save)
    {
        if (!_writing || _forgetting is not null)
        {
            if (save.Ticket != 0)
                Sender.Tell(new SessionJournal.Stored(save.Ticket)); // nothing to wait for: unpersisted
            return;
        }
        if (WriteInFlight)
        {
            _nextState = save.Snapshot;
            if (save.Ticket != 0)
                _nextTicket = save.Ticket;
            return;
        }
        Write(new IkeSaStateSaved(save.Snapshot), save.Ticket);
    }

    /// <summary>
    /// Stored(ticket) once every state handed over before is stored: at once when nothing is in flight, else with the
    /// last write pending (a later ticket answers for every earlier one).
    /// </summary>
    private void OnConfirm(long ticket)
    {
        if (!_writing || _forgetting is not null || !WriteInFlight)
            Sender.Tell(new SessionJournal.Stored(ticket));
        else if (_nextState is not null)
            _nextTicket = ticket;
        else
            _ticketInFlight = ticket;
    }

    private void Write(object @event, long ticket)
    {
        _ticketInFlight = ticket;
        var persistent = new Persistent(@event, ++_sequenceNr, SessionJournal.PersistenceIdOf(_session), "", false,
            ActorRefs.NoSender, JournalWriterGuid, DateTime.UtcNow.Ticks);
        Journal.Tell(new WriteMessages([new AtomicWrite(persistent)], Self, JournalInstanceId));
    }

    private IActorRef Journal => Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null);

    private void OnWritten(IPersistentRepresentation persistent)
    {
        _storedSequenceNr = persistent.SequenceNr;
        if (persistent.Payload is IkeSaStateDeleted)
        {
            Forgot();
            return;
        }
        if (_ticketInFlight != 0)
            _ikeSa?.Tell(new SessionJournal.Stored(_ticketInFlight));
        _ticketInFlight = 0;
        if (_storedSequenceNr % DeleteEvery == 0)
            Journal.Tell(new DeleteMessagesTo(SessionJournal.PersistenceIdOf(_session), _storedSequenceNr - 1, Self));

        if (_forgetting is not null)
            ForgetNow();
        else if (_nextState is { } next)
        {
            long ticket = _nextTicket;
            _nextState = null;
            _nextTicket = 0;
            Write(new IkeSaStateSaved(next), ticket);
        }
        else if (_handingOff)
            HandedOff();
    }

    private void OnWriteFailed(IPersistentRepresentation persistent, Exception cause)
    {
        // Never the event itself in the log: it holds keys.
        _log.Error("Session {0:x12}: persisting {1} #{2} failed: {3}; this session is no longer persisted",
            _session, persistent.Payload.GetType().Name, persistent.SequenceNr, cause.Message);
        _writing = false;
        _nextState = null;
        _ikeSa?.Tell(new SessionJournal.Stored(long.MaxValue)); // whatever it holds for the journal may go now
        if (_handingOff)
            HandedOff();
        else if (_ikeSa is null)
            Passivate();
    }

    /// <summary>The IKE SA ended for good: forget its state first (then the session passivates).</summary>
    private void OnIkeSaEnded()
    {
        _ikeSa = null;
        if (!_writing)
        {
            Passivate();
            return;
        }
        _forgetting = "IKE SA ended";
        _nextState = null;
        if (!WriteInFlight)
            ForgetNow();
    }

    /// <summary>
    /// Nothing written (a session that never got established): nothing to do. Otherwise the history is deleted, and
    /// only when that fails is a tombstone written — one journal operation per ended tunnel, none for an
    /// unauthenticated peer's half-open SA.
    /// </summary>
    private void ForgetNow()
    {
        if (_sequenceNr == 0)
            Forgot();
        else
            Journal.Tell(new DeleteMessagesTo(SessionJournal.PersistenceIdOf(_session), _sequenceNr, Self));
    }

    private void Forgot()
    {
        _forgetting = null;
        _writing = false;
        Passivate();
    }
}
