using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// A node's whole set of installed inbound ESP SPIs and where to forward ESP for them (layout in
/// <see cref="EspOwnerAnnouncementSerializer"/>). <paramref name="ReplyWanted"/>: the sender has just started and
/// asks every node for its own set.
/// </summary>
public sealed record EspOwnerAnnouncement(string Node, string ForwardAddress, int ForwardPort, bool ReplyWanted, uint[] Spis);

/// <summary>
/// Tells the other nodes which inbound ESP SPIs this node owns and learns theirs (<see cref="EspOwnerMap"/>), by
/// messages straight to each Up member's actor of this name (no gossip delay, one sender's messages stay in order).
/// The whole set goes out shortly after every change (installs and removals within 20 ms go as one), to a member
/// when it comes up, and every 5 s (a lost message heals). A starting node asks every member for its set and reports
/// <see cref="Synced"/> once all have answered, so it joins the SO_REUSEPORT group only when it can forward what the
/// kernel then sends it. Ownership follows the SAs: when a shard moves, the new node's installs announce the SPIs (and
/// its host routes take the virtual addresses). A member that leaves or is downed is forgotten. Whole sets are simple
/// and order-proof; they cost 4 bytes per child SA per announcement, fine for thousands of tunnels per node (deltas
/// would be the next step beyond that).
/// </summary>
public sealed class EspOwnershipActor : ReceiveActor, IWithTimers
{
    public const string Name = "esp-ownership";
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private sealed record Changed
    {
        public static readonly Changed Instance = new();
    }

    private sealed record PublishNow
    {
        public static readonly PublishNow Instance = new();
    }

    private readonly SteeredDataPlane _dataPlane;
    private readonly EspOwnerMap _owners;
    private readonly IPEndPoint _forward;
    private readonly TaskCompletionSource _synced;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly string _self;
    private readonly HashSet<Address> _members = [];
    private readonly HashSet<string> _awaiting = new(StringComparer.Ordinal);
    private readonly Action _onChange;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public EspOwnershipActor(SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward, TaskCompletionSource synced)
    {
        _dataPlane = dataPlane;
        _owners = owners;
        _forward = forward;
        _synced = synced;
        _self = _cluster.SelfAddress.ToString();
        IActorRef self = Self;
        _onChange = () => self.Tell(Changed.Instance);

        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (Member m in state.Members)
                if (m.Status == MemberStatus.Up && !m.Address.Equals(_cluster.SelfAddress))
                {
                    _members.Add(m.Address);
                    _awaiting.Add(m.Address.ToString());
                }
            foreach (Address member in _members)
                Tell(member, Announcement(replyWanted: true));
            CheckSynced();
        });
        Receive<Changed>(_ =>
        {
            if (!Timers.IsTimerActive(PublishNow.Instance))
                Timers.StartSingleTimer(PublishNow.Instance, PublishNow.Instance, Debounce);
        });
        Receive<PublishNow>(_ =>
        {
            var announcement = Announcement(replyWanted: false);
            foreach (Address member in _members)
                Tell(member, announcement);
        });
        Receive<EspOwnerAnnouncement>(a =>
        {
            if (a.Node == _self || !IPAddress.TryParse(a.ForwardAddress, out IPAddress? address))
                return;
            _owners.Announce(a.Node, new IPEndPoint(address, a.ForwardPort), a.Spis);
            if (a.ReplyWanted)
                Sender.Tell(Announcement(replyWanted: false));
            _awaiting.Remove(a.Node);
            CheckSynced();
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address.Equals(_cluster.SelfAddress) || !_members.Add(up.Member.Address))
                return;
            Tell(up.Member.Address, Announcement(replyWanted: false));
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _members.Remove(removed.Member.Address);
            _awaiting.Remove(removed.Member.Address.ToString());
            _owners.Forget(removed.Member.Address.ToString());
            _log.Info("ESP ownership: forgot node {0}", removed.Member.Address);
            CheckSynced();
        });
    }

    public static Props Props(SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward, TaskCompletionSource synced) =>
        Akka.Actor.Props.Create(() => new EspOwnershipActor(dataPlane, owners, forward, synced));

    protected override void PreStart()
    {
        _dataPlane.OwnedSpisChanged += _onChange;
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("refresh", PublishNow.Instance, Refresh);
    }

    protected override void PostStop()
    {
        _dataPlane.OwnedSpisChanged -= _onChange;
        _cluster.Unsubscribe(Self);
        _synced.TrySetResult();
    }

    private void CheckSynced()
    {
        if (_awaiting.Count == 0)
            _synced.TrySetResult();
    }

    private EspOwnerAnnouncement Announcement(bool replyWanted) =>
        new(_self, _forward.Address.ToString(), _forward.Port, replyWanted, _dataPlane.OwnedSpis());

    private void Tell(Address member, EspOwnerAnnouncement announcement) =>
        Context.ActorSelection(new RootActorPath(member) / "user" / Name).Tell(announcement);
}

/// <summary>Starts the node's <see cref="EspOwnershipActor"/>.</summary>
public static class EspOwnership
{
    /// <returns>Completes when every other Up member has sent its set (or the actor stopped).</returns>
    public static Task Start(ActorSystem system, SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward)
    {
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(EspOwnershipActor.Props(dataPlane, owners, forward, synced), EspOwnershipActor.Name);
        return synced.Task;
    }
}
