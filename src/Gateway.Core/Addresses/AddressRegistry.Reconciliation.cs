using Akka.Actor;
using Akka.Event;
using Gateway.Core.Metrics;
using Gateway.Core.Sessions;

namespace Gateway.Core.Addresses;

/// <summary>
/// The registry's lease reconciliation, wired: its options, the query plugin over the session journal
/// (<see cref="LiveSessions"/>), the sessions' shard region (looked up when first needed: it starts after the
/// registry), where freed leases are counted, and the clock.
/// </summary>
public sealed record LeaseReconciliation(LeaseReconcilerOptions Options, string ReadJournalPluginId, Func<IActorRef> Sessions,
    IGatewayMetrics Metrics, TimeProvider Clock);

// A release can be lost: the singleton proxy keeps at most GatewaySingleton.MoveBuffer messages while the registry
// moves and drops the rest, and a node can die between a session's end and its release reaching the registry. Such a
// lease would be held forever. So every interval the registry reads the journal's live sessions and frees the leases of
// holders that have been missing from it for the grace period (the decision is LeaseReconciler's; this actor only
// reads, applies and counts). Only with persistence: without a journal nothing tells a gone session from a live one.
// One live session is missing from the journal for good: one whose first write failed runs unpersisted. So each lease
// due is first probed through the shard region (ProbeSession): freed only when the session answers that it holds no
// IKE SA (a session that was not running is started, finds no journal, answers and stops); a running one, or no answer
// (its node unreachable), keeps it. At most a batch of probes per round, so the work stays bounded.
public sealed partial class AddressRegistry
{
    /// <summary>
    /// Runs a round now (the periodic timer sends it too). Any other sender is answered <see cref="Reconciled"/> when
    /// the round ends. Local only (not serialized): for tests and diagnostics on the registry's node.
    /// </summary>
    public sealed record Reconcile
    {
        public static readonly Reconcile Instance = new();
    }

    /// <summary>A round ended; <paramref name="Freed"/> leases were freed (0 too when reading the journal failed).</summary>
    public sealed record Reconciled(int Freed);

    private sealed record LiveSessionsRead(IReadOnlyCollection<ulong> Holders, IReadOnlySet<ulong> Live, DateTimeOffset Started);

    private sealed record LiveSessionsReadFailed(Exception Cause);

    /// <summary>A probe's outcome: <paramref name="Gone"/> only when the session answered that it holds no IKE SA.</summary>
    private sealed record ProbeOutcome(ulong Session, bool Gone);

    /// <summary>How long a probed session may take to answer (it may have to start and read its journal).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly LeaseReconciliation? _reconciliation;
    private readonly LeaseReconciler? _reconciler;

    /// <summary>Non-null while a round runs (one at a time): who asked for it and waits for <see cref="Reconciled"/>.</summary>
    private List<IActorRef>? _reconcileAskers;

    private int _probesPending;
    private int _freedThisRound;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        base.PreStart();
        if (_reconciliation is { } r)
            Timers.StartPeriodicTimer(Reconcile.Instance, Reconcile.Instance, r.Options.Interval);
    }

    private void OnReconcile(Reconcile _)
    {
        bool answerable = !Sender.IsNobody() && !Sender.Equals(Self) && !Sender.Equals(Context.System.DeadLetters);
        if (_reconciliation is not { } r)
        {
            if (answerable)
                Sender.Tell(new Reconciled(0));
            return;
        }
        bool running = _reconcileAskers is not null;
        _reconcileAskers ??= [];
        if (answerable)
            _reconcileAskers.Add(Sender);
        if (running)
            return;
        // The holders are taken before the read starts: a lease granted later is not judged by this read.
        var holders = _book.HoldingSessions();
        var started = r.Clock.GetUtcNow();
        LiveSessions.ReadAsync(Context.System, r.ReadJournalPluginId)
            .PipeTo(Self, success: live => new LiveSessionsRead(holders, live, started), failure: e => new LiveSessionsReadFailed(e));
    }

    private void OnLiveSessionsRead(LiveSessionsRead read)
    {
        var due = _reconciler!.Round(read.Holders, read.Live, read.Started).Where(s => _book.HeldBy(s).Count > 0).ToList();
        if (due.Count == 0)
        {
            EndRound();
            return;
        }
        IActorRef sessions;
        try
        {
            sessions = _reconciliation!.Sessions();
        }
        catch (Exception e) // the region is not started (yet) on this node: nothing can be confirmed gone
        {
            _log.Warning("Address registry: cannot probe sessions ({0}); leases are reconciled at the next round", e.Message);
            EndRound();
            return;
        }
        _probesPending = due.Count;
        foreach (ulong session in due)
        {
            sessions.Ask<SessionProbed>(new ProbeSession(Routing.SpiShardMap.SpiOf(session, 0)), ProbeTimeout)
                .PipeTo(Self, success: p => new ProbeOutcome(session, !p.Running), failure: _ => new ProbeOutcome(session, false));
        }
    }

    private void OnProbeOutcome(ProbeOutcome outcome)
    {
        if (outcome.Gone && _book.HeldBy(outcome.Session).Count > 0) // else: running, silent, or released meanwhile
        {
            Record(new AddressesFreed(outcome.Session), Apply);
            _freedThisRound++;
        }
        if (--_probesPending == 0)
            EndRound();
    }

    private void OnLiveSessionsReadFailed(LiveSessionsReadFailed failed)
    {
        _log.Warning("Address registry: reading the live sessions failed: {0}; leases are reconciled at the next round", failed.Cause.Message);
        EndRound();
    }

    private void EndRound()
    {
        int freed = _freedThisRound;
        _freedThisRound = 0;
        if (freed > 0)
        {
            _reconciliation!.Metrics.AddressLeasesReclaimed(freed);
            _log.Warning("Address registry: freed the leases of {0} sessions gone from the journal whose release never arrived ({1} more suspected)",
                freed, _reconciler!.Suspects);
        }
        foreach (var asker in _reconcileAskers ?? [])
            asker.Tell(new Reconciled(freed));
        _reconcileAskers = null;
    }
}
