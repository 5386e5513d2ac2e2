using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Gateway.Core.Addresses;
using Gateway.Core.Hosting;
using Gateway.Core.Metrics;
using Gateway.Core.Persistence;
using Gateway.Core.Policy;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Core.Tests.Persistence;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.MultiNode;

/// <summary>
/// The address registry's node dies while sessions end and release their leases through another node's proxy: the
/// releases sent to the dead singleton are lost, and the reconciliation on the registry's next node frees those
/// leases, so no address is leaked; the sessions still running keep theirs.
/// </summary>
public sealed class RegistryMoveTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly AddressPools Pools = new(IPNetwork.Parse("10.77.0.0/27"), null, []); // .2-.30: 29 addresses
    private const string RegistryName = "addresses";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-registry-move-{Guid.NewGuid():N}.db");
    private readonly StateKeyRing _keys = new(StateKey.Generate());
    private readonly InMemoryGatewayMetrics _metrics = new();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>The sessions running now (any node's view): a session ends just before it sends its release.</summary>
    private readonly ConcurrentDictionary<ulong, bool> _running = new();

    /// <summary>Answers probes as the sessions' region would.</summary>
    private sealed class ProbedSessions : ReceiveActor
    {
        public ProbedSessions(ConcurrentDictionary<ulong, bool> running) =>
            Receive<ProbeSession>(p => Sender.Tell(new SessionProbed(SpiShardMap.SessionOf(p.LocalSpi), running.ContainsKey(SpiShardMap.SessionOf(p.LocalSpi)))));
    }

    private (ActorSystem System, IActorRef Registry) StartNode(bool crashable)
    {
        var journal = GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider);
        var system = ClusterNodes.StartMember(crashable, journal, _systems.Count == 0 ? null : Cluster.Get(_systems[0]).SelfAddress);
        _systems.Add(system);
        StateKeys.Register(system, _keys);

        var sessions = system.ActorOf(Props.Create(() => new ProbedSessions(_running)));
        // Rounds every second with no grace: every lease missing from the journal is probed at once (sessions 10-29 and
        // the new ones never write to the journal here, so the probe alone keeps their leases while they run).
        var options = new LeaseReconcilerOptions(TimeSpan.FromSeconds(1), TimeSpan.Zero, 1000);
        var reconciliation = new LeaseReconciliation(options, GatewayPersistenceConfig.ReadJournalPluginId, () => sessions, _metrics, TimeProvider.System);
        return (system, AddressRegistrySingleton.Start(system, RegistryName, Pools, reconciliation, role: null));
    }

    private static async Task<IReadOnlyList<IPAddress>> Lease(IActorRef registry, ulong session, string identity, TimeSpan timeout) =>
        (await registry.Ask<LeaseGranted>(new LeaseRequest(session, identity, true, false, false), timeout)).Addresses;

    [Fact]
    public async Task Releases_lost_while_the_registry_moves_are_reclaimed_and_no_address_leaks()
    {
        var (oldest, _) = StartNode(crashable: true); // runs the registry
        var (second, registry) = StartNode(crashable: false);
        StartNode(crashable: false); // a third node, so the survivors are a majority
        Assert.True(SpinWait.SpinUntil(() => _systems.All(s => Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) == 3), Patience),
            "the cluster did not converge");

        var held = new Dictionary<ulong, IPAddress>();
        for (ulong session = 1; session <= 29; session++)
        {
            _running[session] = true;
            held[session] = (await Lease(registry, session, $"user{session}", Patience)).Single();
        }
        // Sessions 1-9 stay: established and persisted. Sessions 10-29 end while the registry's node dies.
        for (ulong session = 1; session <= 9; session++)
        {
            var journal = second.ActorOf(Props.Create(() => new LiveSessionQueryTests.OneEvent(session, false)));
            Assert.Equal("done", await journal.Ask<string>("go", Patience));
        }

        // The registry's node dies (no leave: the others must detect it, the resolver down it, the singleton move);
        // meanwhile sessions 10-29 end. Even ones release through the second node's proxy (buffered while the
        // registry moves, or lost if the proxy still forwards to the dead node); odd ones are certainly lost: sent to
        // the dead registry itself, as a proxy does for what it forwarded before noticing (or a node that died with
        // them). A lost release leaves its lease held in the journal that the next registry recovers.
        var dead = await second.ActorSelection(new RootActorPath(Cluster.Get(oldest).SelfAddress) / "user" / RegistryName / "singleton")
            .ResolveOne(Patience);
        await oldest.Terminate().WaitAsync(Patience);
        for (ulong session = 10; session <= 29; session++)
        {
            _running.TryRemove(session, out _);
            (session % 2 == 0 ? registry : dead).Tell(new LeaseReleased(session));
            await Task.Delay(100); // churn spread over the failure detection and the move
        }

        // Twenty new sessions of new users must get the twenty released addresses: none leaked. Retried until the
        // registry runs again and the reconciliation has freed what the move lost (a retry keeps what it was given).
        var fresh = new Dictionary<ulong, IPAddress>();
        var deadline = DateTime.UtcNow + Patience;
        while (fresh.Count < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {fresh.Count} of 20 released addresses came back");
            for (ulong session = 100; session < 120; session++)
            {
                _running[session] = true;
                try
                {
                    if ((await Lease(registry, session, $"new{session}", TimeSpan.FromSeconds(3))).SingleOrDefault() is { } address)
                        fresh[session] = address;
                }
                catch (AskTimeoutException)
                {
                    break; // the registry is still moving
                }
            }
            if (fresh.Count < 20)
                await Task.Delay(500);
        }

        Assert.Equal(20, fresh.Values.Distinct().Count());
        Assert.True(held.Where(h => h.Key >= 10).Select(h => h.Value).ToHashSet().SetEquals(fresh.Values), "the new sessions got other addresses than the released ones");
        for (ulong session = 1; session <= 9; session++)
            Assert.Equal([held[session]], await Lease(registry, session, $"user{session}", Patience)); // kept
        Assert.True(_metrics.LeasesReclaimed >= 10, $"{_metrics.LeasesReclaimed} leases reclaimed, but 10 releases went to the dead registry");
        output.WriteLine($"releases lost in the move and reclaimed: {_metrics.LeasesReclaimed} of 20 (10 sent to the dead registry)");
    }

    public void Dispose()
    {
        foreach (var system in _systems)
            system.Terminate().Wait(Patience);
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }
}
