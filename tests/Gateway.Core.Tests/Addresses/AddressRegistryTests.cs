using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Gateway.Core.Addresses;
using Gateway.Core.Hosting;
using Gateway.Core.Persistence;
using Gateway.Core.Policy;
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

    void IDisposable.Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
        Shutdown();
    }
}
