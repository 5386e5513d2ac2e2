using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;

namespace Gateway.Core.Sessions;

/// <summary>
/// The journal of one session (issue 5), a child of <see cref="SessionActor"/>: recovers the latest state of its
/// established IKE SA and reports it (<see cref="Recovered"/>), persists each new state (<see cref="Save"/>), and
/// writes a tombstone then deletes the history when the SA ends (<see cref="Forget"/> → <see cref="Forgotten"/>).
/// Every event is the whole state, so recovery needs the last one only and older events are deleted as it goes.
/// Events go through <see cref="SessionStateSerializer"/> (encrypted at rest).
/// </summary>
public sealed class SessionJournal : ReceivePersistentActor
{
    public sealed record Save(IkeSaSnapshot Snapshot);

    public sealed record Forget(string Reason);

    public sealed record Recovered(IkeSaSnapshot? Snapshot);

    public sealed record Forgotten
    {
        public static readonly Forgotten Instance = new();
    }

    /// <summary>Answered with <see cref="Flushed"/> once every write accepted before it is stored (Persist defers commands).</summary>
    public sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    public sealed record Flushed
    {
        public static readonly Flushed Instance = new();
    }

    /// <summary>Older events are deleted every this many writes (each event supersedes all before it).</summary>
    private const int DeleteEvery = 16;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IkeSaSnapshot? _recovered;

    public SessionJournal(ulong sessionId)
    {
        PersistenceId = PersistenceIdOf(sessionId);
        Recover<IkeSaStateSaved>(e => _recovered = e.Snapshot);
        Recover<IkeSaStateDeleted>(_ => _recovered = null);
        Recover<RecoveryCompleted>(_ =>
        {
            Context.Parent.Tell(new Recovered(_recovered));
            _recovered = null; // the IKE SA actor owns it now
        });
        Command<Save>(s => Persist(new IkeSaStateSaved(s.Snapshot), _ =>
        {
            if (LastSequenceNr % DeleteEvery == 0)
                DeleteMessages(LastSequenceNr - 1);
        }));
        Command<Forget>(f => Persist(new IkeSaStateDeleted(f.Reason), _ =>
        {
            DeleteMessages(LastSequenceNr);
            Context.Parent.Tell(Forgotten.Instance);
        }));
        Command<Flush>(_ => Sender.Tell(Flushed.Instance));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("{0}: deleting old events failed: {1}", PersistenceId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdOf(ulong sessionId) => $"ike-session-{sessionId:x12}";

    public static Props Props(ulong sessionId) => Akka.Actor.Props.Create(() => new SessionJournal(sessionId));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Never the event itself in the log: it holds keys.
        _log.Error("{0}: persisting {1} #{2} failed: {3}", PersistenceId, @event.GetType().Name, sequenceNr, cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error("{0}: recovery failed: {1}", PersistenceId, reason.Message);
        base.OnRecoveryFailure(reason, message);
    }
}
