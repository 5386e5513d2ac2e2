using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Gateway.Core.Addresses;
using Gateway.Core.Hosting;
using Gateway.Core.Metrics;
using Gateway.Core.Persistence;
using Gateway.Core.Policy;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Core.Tests.Actors;
using Gateway.Core.Tests.Persistence;
using Microsoft.Data.Sqlite;

namespace Gateway.Core.Tests.Addresses;

/// <summary>The registry actor: leases, restored sessions' addresses, and its state surviving a restart on SQLite.</summary>
public sealed class AddressRegistryTests : TestKit, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly AddressPools Pools = new(IPNetwork.Parse("10.77.0.0/29"), null, []);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-registry-{Guid.NewGuid():N}.db");

    public AddressRegistryTests() : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(GatewayClusterConfig.SingleNode()))
    {
    }

    private LeaseGranted Lease(IActorRef registry, ulong session, string identity, bool replaceOthers = false)
    {
        registry.Tell(new LeaseRequest(session, identity, true, false, replaceOthers), TestActor);
        return ExpectMsg<LeaseGranted>(Patience);
    }

    [Fact]
    public void A_restored_sessions_address_is_recorded_unless_another_session_holds_it()
    {
        var registry = Sys.ActorOf(AddressRegistry.Props(Pools, persistent: false));
        var bob = Lease(registry, 2, "bob").Addresses.Single();

        // A journal from before the registry: the restored SA uses .5 (unknown here) and bob's address.
        registry.Tell(new LeaseRestored(1, "alice", [IPAddress.Parse("10.77.0.5")]));
        registry.Tell(new LeaseRestored(3, "carol", [bob]));

        var others = Enumerable.Range(10, 3).Select(i => Lease(registry, (ulong)i, $"u{i}").Addresses.Single()).ToList();
        Assert.DoesNotContain(IPAddress.Parse("10.77.0.5"), others); // recorded for alice's session
        Assert.DoesNotContain(bob, others);
        Assert.Empty(Lease(registry, 20, "dave").Addresses); // .2-.6 all held: nothing, never a duplicate
        Assert.Equal([bob], Lease(registry, 2, "bob").Addresses); // bob kept his
    }

    [Fact]
    public async Task Leases_survive_a_restart_on_the_journal()
    {
        var keys = new StateKeyRing(StateKey.Generate());
        IActorRef Start(ActorSystem system)
        {
            StateKeys.Register(system, keys);
            return system.ActorOf(AddressRegistry.Props(Pools, persistent: true));
        }
        var config = GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Sys.Settings.Config)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

        var first = ActorSystem.Create("registry1", config);
        IPAddress alice;
        try
        {
            var registry = Start(first);
            alice = Lease(registry, 1, "alice").Addresses.Single();
            Assert.Equal(IPAddress.Parse("10.77.0.3"), Lease(registry, 2, "bob").Addresses.Single());
            registry.Tell(new LeaseReleased(2));
            Lease(registry, 3, "carol"); // after the release in the mailbox: the release is written
        }
        finally
        {
            await first.Terminate().WaitAsync(Patience);
        }

        var second = ActorSystem.Create("registry2", config);
        try
        {
            var registry = Start(second);
            Assert.Equal([alice], Lease(registry, 1, "alice").Addresses); // the session still holds it
            Assert.DoesNotContain(alice, Lease(registry, 4, "dave").Addresses);
            var bobAgain = Lease(registry, 5, "bob").Addresses.Single();
            Assert.Equal(IPAddress.Parse("10.77.0.3"), bobAgain); // released, still bob's
        }
        finally
        {
            await second.Terminate().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task A_snapshot_and_the_events_after_it_rebuild_the_book()
    {
        var keys = new StateKeyRing(StateKey.Generate());
        var pools = new AddressPools(IPNetwork.Parse("10.77.0.0/22"), null, []);
        var config = GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Sys.Settings.Config)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var held = new Dictionary<ulong, IPAddress>();

        var first = ActorSystem.Create("snapshot1", config);
        try
        {
            StateKeys.Register(first, keys);
            var registry = first.ActorOf(AddressRegistry.Props(pools, persistent: true));
            // 300 leases and 250 releases: 550 events, a snapshot at 500, 50 events after it.
            for (ulong session = 1; session <= 300; session++)
                held[session] = Lease(registry, session, $"u{session}").Addresses.Single();
            for (ulong session = 1; session <= 250; session++)
            {
                registry.Tell(new LeaseReleased(session));
                held.Remove(session);
            }
            Lease(registry, 1000, "late"); // behind the releases: they are stored
        }
        finally
        {
            await first.Terminate().WaitAsync(Patience);
        }
        Assert.True(await SnapshotCount() > 0, "no snapshot was written");

        var second = ActorSystem.Create("snapshot2", config);
        try
        {
            StateKeys.Register(second, keys);
            var registry = second.ActorOf(AddressRegistry.Props(pools, persistent: true));
            foreach (var (session, address) in held)
                Assert.Equal([address], Lease(registry, session, $"u{session}").Addresses); // still held
            Assert.Equal(IPAddress.Parse("10.77.0.2"), Lease(registry, 2000, "u1").Addresses.Single()); // released, still u1's
            Assert.DoesNotContain(Lease(registry, 2001, "new").Addresses.Single(), held.Values);
        }
        finally
        {
            await second.Terminate().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task A_lease_whose_release_was_lost_is_freed_and_live_or_establishing_sessions_keep_theirs()
    {
        var keys = new StateKeyRing(StateKey.Generate());
        var config = GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Sys.Settings.Config)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("reconcile", config);
        try
        {
            StateKeys.Register(system, keys);
            var clock = new ManualClock(DateTimeOffset.UtcNow);
            var metrics = new InMemoryGatewayMetrics();
            var options = new LeaseReconcilerOptions(TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), 100); // rounds run when asked
            // The sessions' region, as far as probes go: session 7 runs unpersisted (its first journal write failed).
            var region = system.ActorOf(Props.Create(() => new ProbedSessions(7)));
            var registry = system.ActorOf(AddressRegistry.Props(Pools, persistent: true,
                new LeaseReconciliation(options, GatewayPersistenceConfig.ReadJournalPluginId, () => region, metrics, clock)));
            int Round()
            {
                registry.Tell(AddressRegistry.Reconcile.Instance, TestActor);
                return ExpectMsg<AddressRegistry.Reconciled>(Patience).Freed;
            }

            var lost = Lease(registry, 1, "alice").Addresses.Single(); // alice's session ended; its LeaseReleased was lost
            var live = Lease(registry, 2, "bob").Addresses.Single();
            var unpersisted = Lease(registry, 7, "erin").Addresses.Single();
            var bobsJournal = system.ActorOf(Props.Create(() => new LiveSessionQueryTests.OneEvent(2, false)));
            Assert.Equal("done", await bobsJournal.Ask<string>("go", Patience)); // bob's session is established and persisted

            Assert.Equal(0, Round()); // alice's session is only suspected
            var establishing = Lease(registry, 5, "carol").Addresses.Single(); // in IKE_AUTH: leased, not yet in the journal
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(1, Round());
            Assert.Equal(1, metrics.LeasesReclaimed);

            Assert.Equal([lost], Lease(registry, 3, "alice").Addresses); // freed, and still alice's (sticky)
            Assert.Equal([live], Lease(registry, 2, "bob").Addresses); // still bob's session's
            Assert.Equal([unpersisted], Lease(registry, 7, "erin").Addresses); // not in the journal, but its session said it runs
            Assert.Equal([establishing], Lease(registry, 5, "carol").Addresses); // leased after the first read: not judged yet
            Assert.DoesNotContain(Lease(registry, 6, "dave").Addresses.Single(), new[] { lost, live, unpersisted, establishing });

            clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, Round()); // carol's is 5 minutes suspect at most: kept
            Assert.Equal(1, metrics.LeasesReclaimed);
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    /// <summary>Answers probes as the sessions' region would: the sessions named run, any other has no IKE SA.</summary>
    private sealed class ProbedSessions : ReceiveActor
    {
        public ProbedSessions(params ulong[] running) =>
            Receive<ProbeSession>(p => Sender.Tell(new SessionProbed(SpiShardMap.SessionOf(p.LocalSpi), running.Contains(SpiShardMap.SessionOf(p.LocalSpi)))));
    }

    private async Task<long> SnapshotCount()
    {
        await using var connection = new SqliteConnection($"Data Source={_file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM snapshot WHERE persistence_id = '{AddressRegistry.PersistenceIdValue}'";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    void IDisposable.Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
        Shutdown();
    }
}
