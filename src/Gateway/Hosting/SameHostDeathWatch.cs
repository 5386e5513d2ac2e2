using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace Gateway.Hosting;

/// <summary>
/// Downs a cluster member on this very host as soon as its process is certainly gone, instead of waiting for the
/// failure detector and the split brain resolver's stable-after (seconds, tuned for networks). On one host "gone" is
/// certain: the kernel closes a killed process's sockets, the other nodes see their connection to it drop at once, and
/// a TCP connect to its Akka port is refused. Only members with our own cluster hostname are judged; any doubt (the
/// port answers, a timeout) leaves the decision to the failure detector. Used when several nodes share the host's
/// address (gateway.steering), where a node's death otherwise dominates the tunnels' resume time.
/// A dead member is downed and its incarnation (address + UID) quarantined: Akka's leader removes a Down member only
/// once it is also unreachable (a member the failure detector still trusts never confirms the Down), and the cluster
/// marks a quarantined incarnation terminated at once instead of after the failure detector's acceptable pause. The
/// quarantine is as safe as the Down: that incarnation is gone, and a restarted node joins with a new UID.
/// </summary>
public sealed class SameHostDeathWatch : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(250);

    private sealed record Check(Address Member);

    private sealed record Outcome(Address Member, bool Refused);

    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public SameHostDeathWatch()
    {
        Receive<DisassociatedEvent>(e => Probe(e.RemoteAddress));
        Receive<ClusterEvent.UnreachableMember>(e => Probe(e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e => Timers.Cancel(e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e => Timers.Cancel(e.Member.Address));
        Receive<Check>(c => Probe(c.Member));
        Receive<Outcome>(o =>
        {
            Member? member = _cluster.State.Members.FirstOrDefault(m => m.Address.Equals(o.Member));
            if (member is null || member.Status is MemberStatus.Down or MemberStatus.Removed)
                return;
            if (o.Refused)
            {
                _log.Warning("Node {0} on this host is gone (its port refuses connections): downing and quarantining it now", o.Member);
                _cluster.Down(o.Member);
                ((IRemoteActorRefProvider)((ExtendedActorSystem)Context.System).Provider).Quarantine(o.Member, member.UniqueAddress.Uid);
                return;
            }
            // Still listening (or no answer): look again while the failure detector deems it unreachable.
            if (_cluster.State.Unreachable.Any(m => m.Address.Equals(o.Member)))
                Timers.StartSingleTimer(o.Member, new Check(o.Member), Recheck);
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _cluster.Unsubscribe(Self);
    }

    private void Probe(Address member)
    {
        Address self = _cluster.SelfAddress;
        if (member.Equals(self) || member.Host != self.Host || member.Port is not int port)
            return;
        string host = member.Host!;
        ProbeAsync(host, port).ContinueWith(t => new Outcome(member, t.Result), TaskScheduler.Default).PipeTo(Self);
    }

    private static async Task<bool> ProbeAsync(string host, int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            await socket.ConnectAsync(IPAddress.TryParse(host, out IPAddress? ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port), timeout.Token);
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Starts <see cref="SameHostDeathWatch"/> on a node.</summary>
public static class SameHostDeathWatching
{
    public static void Start(ActorSystem system) =>
        system.ActorOf(Props.Create(() => new SameHostDeathWatch()), "same-host-death-watch");
}
