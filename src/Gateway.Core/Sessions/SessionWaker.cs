using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>
/// Brings established sessions back after a node restart, crash, leave or shard move — instead of sharding's
/// remember-entities, which wrote every started entity (each half-open IKE_SA_INIT) to the journal and made the
/// IKE_SA_INIT wait for that write (docs/loadtest-profile.md). A cluster singleton: the live sessions are exactly the
/// persistence ids of session journals that still hold an undeleted event (an ended SA's history is deleted, see
/// <see cref="SessionJournal"/>), so nothing more is written for them. It wakes every live session through the shard
/// region (<see cref="WakeSession"/>; a running session just answers, a stopped one is started where its shard lives,
/// recovers from its journal and runs its timers):
/// <list type="bullet">
/// <item>when it starts (gateway start, or the singleton moved because its node left or died);</item>
/// <item>when a member is removed (left or downed): its shards have moved to the survivors;</item>
/// <item>for one session that was handed off (<see cref="WakeAfterHandOff"/>: a rebalance or leave moved its shard).</item>
/// </list>
/// Each wake is repeated every <see cref="RetryInterval"/> until the session answers <see cref="SessionAwake"/>: a wake
/// sent while the region still points a shard at a node that just died is lost, and the retry finds the new home.
/// </summary>
public sealed class SessionWaker : ReceiveActor, IWithTimers
{
    /// <summary>Handover message of the singleton.</summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    private sealed record Sweep(string Why);

    private sealed record Live(IReadOnlyCollection<ulong> Sessions, string Why);

    private sealed record SweepFailed(string Why, Exception Cause);

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Attempts before a session that never answers is given up (its journal is kept: the next sweep tries again).</summary>
    private const int MaxAttempts = 120;

    private readonly IActorRef _region;
    private readonly string _readJournalPluginId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<ulong, int> _pending = new(); // session → wakes sent, until it answers

    public SessionWaker(IActorRef region, string readJournalPluginId)
    {
        _region = region;
        _readJournalPluginId = readJournalPluginId;
        Receive<Sweep>(OnSweep);
        Receive<Live>(live =>
        {
            _log.Info("Session waker: waking {0} live sessions ({1})", live.Sessions.Count, live.Why);
            foreach (var session in live.Sessions)
                Wake(session);
        });
        Receive<SweepFailed>(f =>
        {
            _log.Warning("Session waker: reading the live sessions failed ({0}): {1}; again in {2}", f.Why, f.Cause.Message, RetryInterval);
            Timers.StartSingleTimer(f, new Sweep(f.Why), RetryInterval);
        });
        Receive<WakeAfterHandOff>(h => Wake(h.SessionId));
        Receive<SessionAwake>(a => _pending.Remove(a.SessionId));
        Receive<Retry>(_ => OnRetry());
        Receive<ClusterEvent.MemberRemoved>(m => Self.Tell(new Sweep($"{m.Member.Address} removed")));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<Stop>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, string readJournalPluginId) =>
        Akka.Actor.Props.Create(() => new SessionWaker(region, readJournalPluginId));

    protected override void PreStart()
    {
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
        Self.Tell(new Sweep("started"));
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnSweep(Sweep sweep) =>
        LiveSessions.ReadAsync(Context.System, _readJournalPluginId)
            .PipeTo(Self, success: sessions => new Live(sessions, sweep.Why), failure: e => new SweepFailed(sweep.Why, e));

    /// <summary>
    /// While this node shuts down its region allocates nothing and would only buffer the wakes (holding up its own
    /// shutdown); the singleton's next instance, on another node or after the restart, sweeps everything anyway.
    /// </summary>
    private bool ShuttingDown => CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;

    private void Wake(ulong session)
    {
        if (ShuttingDown)
            return;
        _pending[session] = 1;
        _region.Tell(new WakeSession(SpiShardMap.SpiOf(session, 0)));
        if (!Timers.IsTimerActive(Retry.Instance))
            Timers.StartPeriodicTimer(Retry.Instance, Retry.Instance, RetryInterval);
    }

    private void OnRetry()
    {
        if (ShuttingDown)
        {
            _pending.Clear();
            Timers.Cancel(Retry.Instance);
            return;
        }
        foreach (var (session, attempts) in _pending.ToList())
        {
            if (attempts >= MaxAttempts)
            {
                _pending.Remove(session);
                _log.Warning("Session waker: session {0:x12} did not answer {1} wakes; left until the next sweep", session, attempts);
                continue;
            }
            _pending[session] = attempts + 1;
            _region.Tell(new WakeSession(SpiShardMap.SpiOf(session, 0)));
        }
        if (_pending.Count == 0)
            Timers.Cancel(Retry.Instance);
    }
}
