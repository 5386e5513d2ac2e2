using Akka.Actor;
using Akka.Event;
using Gateway.Core.Metrics;
using Gateway.Core.Sessions;

namespace Gateway.Core.Addresses;

/// <summary>
/// The registry's lease reconciliation, wired: its options, the query plugin over the session journal
/// (<see cref="LiveSessions"/>), where freed leases are counted, and the clock.
/// </summary>
public sealed record LeaseReconciliation(LeaseReconcilerOptions Options, string ReadJournalPluginId, IGatewayMetrics Metrics, TimeProvider Clock);

// A release can be lost: the singleton proxy keeps at most GatewaySingleton.MoveBuffer messages while the registry
// moves and drops the rest, and a node can die between a session's end and its release reaching the registry. Such a
// lease would be held forever. So every interval the registry reads the journal's live sessions and frees the leases of
// holders that have been missing from it for the grace period (the decision is LeaseReconciler's; this actor only
// reads, applies and counts). Only with persistence: without a journal nothing tells a gone session from a live one.
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

    private readonly LeaseReconciliation? _reconciliation;
    private readonly LeaseReconciler? _reconciler;

    /// <summary>Non-null while a round runs (one at a time): who asked for it and waits for <see cref="Reconciled"/>.</summary>
    private List<IActorRef>? _reconcileAskers;

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
        int freed = 0;
        foreach (ulong session in _reconciler!.Round(read.Holders, read.Live, read.Started))
        {
            if (_book.HeldBy(session).Count == 0)
                continue; // its release arrived meanwhile
            Record(new AddressesFreed(session), Apply);
            freed++;
        }
        if (freed > 0)
        {
            _reconciliation!.Metrics.AddressLeasesReclaimed(freed);
            _log.Warning("Address registry: freed the leases of {0} sessions gone from the journal whose release never arrived ({1} more suspected)",
                freed, _reconciler.Suspects);
        }
        EndRound(freed);
    }

    private void OnLiveSessionsReadFailed(LiveSessionsReadFailed failed)
    {
        _log.Warning("Address registry: reading the live sessions failed: {0}; leases are reconciled at the next round", failed.Cause.Message);
        EndRound(0);
    }

    private void EndRound(int freed)
    {
        foreach (var asker in _reconcileAskers ?? [])
            asker.Tell(new Reconciled(freed));
        _reconcileAskers = null;
    }
}
