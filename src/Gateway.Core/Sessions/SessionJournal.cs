using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>
/// The journal of one session (issue 5): its messages, and the recovery of a session that may have state in the
/// journal — a short-lived child of <see cref="SessionActor"/> that recovers the latest state of its established IKE
/// SA, reports it with the last sequence number (<see cref="Recovered"/>) and stops. The session writes its states
/// itself, straight to the journal plugin (SessionActor.Journal.cs): a persistent actor per established tunnel for
/// life was about a fifth of an idle tunnel's memory (docs/loadtest-profile.md). Every event is the whole state, so
/// recovery needs the last one only. Events go through <see cref="SessionStateSerializer"/> (encrypted at rest).
/// </summary>
public sealed class SessionJournal : UntypedPersistentActor
{
    /// <param name="Ticket">Non-zero: answered with <see cref="Stored"/> once the write is durable (the sender waits to answer its peer).</param>
    public sealed record Save(IkeSaSnapshot Snapshot, long Ticket = 0);

    /// <summary>The <see cref="Save"/> with this ticket (and every one before it) is stored, or the journal failed and the session runs unpersisted.</summary>
    public sealed record Stored(long Ticket);

    /// <summary>
    /// Answered with <see cref="Stored"/>(<paramref name="Ticket"/>) once every <see cref="Save"/> sent before it is
    /// stored: for a state that needs no new write but whose last write may be in flight.
    /// </summary>
    public sealed record Confirm(long Ticket);

    /// <param name="LastSequenceNr">The journal's highest sequence number of the session (deleted events included): the session writes on from it.</param>
    public sealed record Recovered(IkeSaSnapshot? Snapshot, long LastSequenceNr);

    private readonly ILoggingAdapter _log = SharedLoggers.For<SessionJournal>(Context);
    private IkeSaSnapshot? _recovered;

    public SessionJournal(ulong sessionId) => PersistenceId = PersistenceIdOf(sessionId);

    public override string PersistenceId { get; }

    /// <summary>A switch, not ReceivePersistentActor's per-instance handler tables.</summary>
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case IkeSaStateSaved e:
                _recovered = e.Snapshot;
                break;
            case IkeSaStateDeleted:
                _recovered = null;
                break;
            case RecoveryCompleted:
                Context.Parent.Tell(new Recovered(_recovered, LastSequenceNr));
                _recovered = null; // the IKE SA actor owns it now
                Context.Stop(Self);
                break;
        }
    }

    protected override void OnCommand(object message) => Unhandled(message);

    private const string PersistenceIdPrefix = "ike-session-";

    public static string PersistenceIdOf(ulong sessionId) => $"{PersistenceIdPrefix}{sessionId:x12}";

    /// <summary>The session of a persistence id made by <see cref="PersistenceIdOf"/>; false for any other id in the journal.</summary>
    public static bool TryParsePersistenceId(string persistenceId, out ulong sessionId)
    {
        sessionId = 0;
        return persistenceId.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal)
            && SpiShardMap.TryParseEntityId(persistenceId[PersistenceIdPrefix.Length..], out sessionId);
    }

    /// <summary>The recovery of a session's journal.</summary>
    public static Props Props(ulong sessionId) => Akka.Actor.Props.Create(() => new SessionJournal(sessionId));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error("{0}: recovery failed: {1}", PersistenceId, reason.Message);
        base.OnRecoveryFailure(reason, message);
    }
}
