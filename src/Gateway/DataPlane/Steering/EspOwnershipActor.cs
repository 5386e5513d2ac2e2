using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace Gateway.DataPlane.Steering;

/// <summary>A node's whole set of installed inbound ESP SPIs and where to forward ESP for them (layout in <see cref="EspOwnerAnnouncementSerializer"/>).</summary>
public sealed record EspOwnerAnnouncement(string Node, string ForwardAddress, int ForwardPort, uint[] Spis);

/// <summary>
/// Tells the other nodes which inbound ESP SPIs this node owns and learns theirs (<see cref="EspOwnerMap"/>), over
/// DistributedPubSub. The whole set is published shortly after every change (installs and removals within 20 ms go
/// out as one), when a node joins (so it learns at once), and every 5 s (a lost message heals). Ownership follows the
/// SAs: when a shard moves, the new node's installs announce the SPIs and its host routes take the virtual addresses.
/// A node that leaves or is downed is forgotten. Whole sets are simple and order-proof; they cost 4 bytes per child
/// SA per announcement, fine for thousands of tunnels per node (deltas would be the next step beyond that).
/// </summary>
public sealed class EspOwnershipActor : ReceiveActor, IWithTimers
{
    public const string Topic = "gateway-esp-owners";
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
    private readonly string _self;
    private readonly IActorRef _mediator;
    private readonly Action _onChange;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public EspOwnershipActor(SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward)
    {
        _dataPlane = dataPlane;
        _owners = owners;
        _forward = forward;
        _self = Cluster.Get(Context.System).SelfAddress.ToString();
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        IActorRef self = Self;
        _onChange = () => self.Tell(Changed.Instance);

        Receive<Changed>(_ =>
        {
            if (!Timers.IsTimerActive(PublishNow.Instance))
                Timers.StartSingleTimer(PublishNow.Instance, PublishNow.Instance, Debounce);
        });
        Receive<PublishNow>(_ => Publish());
        Receive<EspOwnerAnnouncement>(a =>
        {
            if (a.Node == _self || !IPAddress.TryParse(a.ForwardAddress, out IPAddress? address))
                return;
            _owners.Announce(a.Node, new IPEndPoint(address, a.ForwardPort), a.Spis);
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address.ToString() != _self)
                Publish();
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _owners.Forget(removed.Member.Address.ToString());
            _log.Info("ESP ownership: forgot node {0}", removed.Member.Address);
        });
        Receive<SubscribeAck>(_ => Publish());
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward) =>
        Akka.Actor.Props.Create(() => new EspOwnershipActor(dataPlane, owners, forward));

    protected override void PreStart()
    {
        _dataPlane.OwnedSpisChanged += _onChange;
        _mediator.Tell(new Subscribe(Topic, Self));
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("refresh", PublishNow.Instance, Refresh);
    }

    protected override void PostStop()
    {
        _dataPlane.OwnedSpisChanged -= _onChange;
        Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void Publish() => _mediator.Tell(new Publish(Topic,
        new EspOwnerAnnouncement(_self, _forward.Address.ToString(), _forward.Port, _dataPlane.OwnedSpis())));
}

/// <summary>Starts the node's <see cref="EspOwnershipActor"/> (with its serializer).</summary>
public static class EspOwnership
{
    public static IActorRef Start(ActorSystem system, SteeredDataPlane dataPlane, EspOwnerMap owners, IPEndPoint forward)
    {
        EspOwnerAnnouncementSerializer.Register(system);
        return system.ActorOf(EspOwnershipActor.Props(dataPlane, owners, forward), "esp-ownership");
    }
}
