using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>
/// The journal of one session (issue 5), a child of <see cref="SessionActor"/>: recovers the latest state of its
/// established IKE SA and reports it (<see cref="Recovered"/>), persists each new state (<see cref="Save"/>), and
/// deletes the history when the SA ends (<see cref="Forget"/> → <see cref="Forgotten"/>; a tombstone only if that fails).
/// Every event is the whole state, so recovery needs the last one only and older events are deleted as it goes.
/// Events go through <see cref="SessionStateSerializer"/> (encrypted at rest). The journal of a session that an
/// IKE_SA_INIT is opening right now (a fresh, random session id) skips recovery: there is nothing to read, and the
/// snapshot load and event replay were a third of a handshake's persistence cost (docs/loadtest.md).
/// </summary>
public sealed class SessionJournal : ReceivePersistentActor
{
    /// <param name="Ticket">Non-zero: answered with <see cref="Stored"/> once the write is durable (the sender waits to answer its peer).</param>
    public sealed record Save(IkeSaSnapshot Snapshot, long Ticket = 0);

    /// <summary>The <see cref="Save"/> with this ticket (and every one before it) is stored.</summary>
    public sealed record Stored(long Ticket);

    /// <summary>
    /// Answered with <see cref="Stored"/>(<paramref name="Ticket"/>) once every <see cref="Save"/> sent before it is
    /// stored (Persist defers commands): for a state that needs no new write but whose last write may be in flight.
    /// </summary>
    public sealed record Confirm(long Ticket);

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
    private readonly bool _fresh;
    private IkeSaSnapshot? _recovered;
    private string? _forgetting; // the reason while the history of an ended SA is being deleted

    public SessionJournal(ulong sessionId, bool fresh = false)
    {
        PersistenceId = PersistenceIdOf(sessionId);
        _fresh = fresh;
        Recover<IkeSaStateSaved>(e => _recovered = e.Snapshot);
        Recover<IkeSaStateDeleted>(_ => _recovered = null);
        Recover<RecoveryCompleted>(_ =>
        {
            if (_fresh)
                return; // the session did not wait
            Context.Parent.Tell(new Recovered(_recovered));
            _recovered = null; // the IKE SA actor owns it now
        });
        Command<Save>(s => Persist(new IkeSaStateSaved(s.Snapshot), _ =>
        {
            if (s.Ticket != 0)
                Sender.Tell(new Stored(s.Ticket));
            if (LastSequenceNr % DeleteEvery == 0)
                DeleteMessages(LastSequenceNr - 1);
        }));
        Command<Confirm>(c => Sender.Tell(new Stored(c.Ticket)));
        Command<Forget>(OnForget);
        // Answered once every write before it is stored (Persist stashes commands meanwhile): the hand-off waits for it.
        Command<Flush>(_ => Sender.Tell(Flushed.Instance));
        Command<DeleteMessagesSuccess>(s =>
        {
            if (_forgetting is not null && s.ToSequenceNr >= LastSequenceNr)
                Forgot();
        });
        Command<DeleteMessagesFailure>(f =>
        {
            _log.Warning("{0}: deleting old events failed: {1}", PersistenceId, f.Cause.Message);
            // The history is still there: a tombstone on top keeps the ended SA from coming back.
            if (_forgetting is { } reason && f.ToSequenceNr >= LastSequenceNr)
                Persist(new IkeSaStateDeleted(reason), _ => Forgot());
        });
    }

    /// <summary>
    /// Nothing written (a session that never got established): nothing to do. Otherwise the history is deleted, and
    /// only when that fails is a tombstone written — one journal operation per ended tunnel instead of two, and none
    /// for an unauthenticated peer's half-open SA.
    /// </summary>
    private void OnForget(Forget forget)
    {
        if (LastSequenceNr == 0)
        {
            Context.Parent.Tell(Forgotten.Instance);
            return;
        }
        _forgetting = forget.Reason;
        DeleteMessages(LastSequenceNr);
    }

    private void Forgot()
    {
        _forgetting = null;
        Context.Parent.Tell(Forgotten.Instance);
    }

    public override string PersistenceId { get; }

    private const string PersistenceIdPrefix = "ike-session-";

    public static string PersistenceIdOf(ulong sessionId) => $"{PersistenceIdPrefix}{sessionId:x12}";

    /// <summary>The session of a persistence id made by <see cref="PersistenceIdOf"/>; false for any other id in the journal.</summary>
    public static bool TryParsePersistenceId(string persistenceId, out ulong sessionId)
    {
        sessionId = 0;
        return persistenceId.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal)
            && SpiShardMap.TryParseEntityId(persistenceId[PersistenceIdPrefix.Length..], out sessionId);
    }

    /// <summary>The journal of a session; <paramref name="fresh"/>: a new session, no recovery (nothing is reported).</summary>
    public static Props Props(ulong sessionId, bool fresh = false) => Akka.Actor.Props.Create(() => new SessionJournal(sessionId, fresh));

    /// <summary>A fresh session's journal reads nothing back (Akka still asks the journal for the highest sequence number).</summary>
    public override Recovery Recovery => _fresh ? Recovery.None : base.Recovery;

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
