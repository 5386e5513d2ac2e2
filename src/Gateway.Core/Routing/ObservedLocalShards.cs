using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace Gateway.Core.Routing;

/// <summary>
/// The shards the local region hosts, refreshed every few seconds by <see cref="Observer"/>, so new SPIs can be drawn
/// in them. Empty while the cluster has one member (every shard is local: no preference needed) or before the first
/// answer. Slightly stale is fine: a wrong guess only costs the client's packets one hop between nodes.
/// </summary>
public sealed class ObservedLocalShards : ILocalShards
{
    private volatile IReadOnlyList<int> _current = [];

    public IReadOnlyList<int> Current => _current;

    /// <summary>Starts the observer for <paramref name="region"/> on <paramref name="system"/>.</summary>
    public void Observe(ActorSystem system, IActorRef region, string name, TimeSpan interval) =>
        system.ActorOf(Props.Create(() => new Observer(this, region, interval)), name);

    private sealed class Observer : ReceiveActor, IWithTimers
    {
        private sealed record Refresh
        {
            public static readonly Refresh Instance = new();
        }

        private readonly ObservedLocalShards _owner;
        private readonly IActorRef _region;
        private readonly TimeSpan _interval;

        public ITimerScheduler Timers { get; set; } = null!;

        public Observer(ObservedLocalShards owner, IActorRef region, TimeSpan interval)
        {
            _owner = owner;
            _region = region;
            _interval = interval;
            Receive<Refresh>(_ =>
            {
                if (Cluster.Get(Context.System).State.Members.Count(m => m.Status == MemberStatus.Up) > 1)
                    _region.Tell(GetShardRegionState.Instance);
                else
                    _owner._current = [];
            });
            Receive<CurrentShardRegionState>(state =>
            {
                var shards = new List<int>();
                foreach (var shard in state.Shards)
                    if (int.TryParse(shard.ShardId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                        shards.Add(id);
                _owner._current = shards;
            });
        }

        protected override void PreStart() => Timers.StartPeriodicTimer(Refresh.Instance, Refresh.Instance, TimeSpan.Zero, _interval);
    }
}
