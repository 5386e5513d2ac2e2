using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Gateway.Core.DataPlane;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Core.Policy;
using Gateway.Core.Tests.Actors;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;
using Microsoft.Data.Sqlite;

namespace Gateway.Core.Tests.MultiNode;

/// <summary>
/// Several gateway nodes in one process: each its own ActorSystem and cluster member with the real IKE core, its own
/// data plane and node-local services, all sharing one journal (an SQLite file in a temp directory, unless a journal
/// config is given) and one state key. Clients are <see cref="TestInitiator"/>s that send through any node's ingress
/// and receive whatever node answers (one wire, routed by the client's address).
/// </summary>
internal sealed class ClusterNodes : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 500);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"gateway-cluster-{Guid.NewGuid():N}");
    private readonly Config _journal;
    private readonly StateKeyRing _keys = new(StateKey.Generate());

    public ClusterNodes(Config? journal = null)
    {
        Directory.CreateDirectory(_directory);
        JournalFile = Path.Combine(_directory, "journal.db");
        _journal = journal ?? GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(JournalFile), GatewayPersistenceConfig.SqliteProvider);
        var users = Enumerable.Range(0, 32).ToDictionary(i => User(i), _ => TestGateway.Psk);
        Policy = TestGateway.CreatePolicy(pools: new AddressPools(IPNetwork.Parse("10.77.0.0/24"), null, [])) with { PreSharedKeys = users };
    }

    public string JournalFile { get; }
    public GatewayPolicy Policy { get; }
    public List<Node> Nodes { get; } = [];
    public Wire Clients { get; } = new();

    public static string User(int i) => $"user{i}.example";

    public sealed record Node(ActorSystem System, GatewayCoreHandle Core, RecordingDataPlane DataPlane)
    {
        public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

        public IReadOnlyList<ulong> Sessions() => Core.Sessions.ListLocalAsync(Patience).GetAwaiter().GetResult();
    }

    /// <summary>The datagrams the gateway sends, one queue per client address.</summary>
    public sealed class Wire : IIkeTransport
    {
        private readonly ConcurrentDictionary<IPEndPoint, BlockingCollection<IkeDatagram>> _queues = new();

        public BlockingCollection<IkeDatagram> To(IPEndPoint client) => _queues.GetOrAdd(client, _ => new BlockingCollection<IkeDatagram>());

        public void Send(IkeDatagram datagram) => To(datagram.Remote).Add(datagram);
    }

    /// <summary>
    /// Starts a node and joins it to the first (which joins itself). <paramref name="crashable"/>: terminating its
    /// system does not leave the cluster (kill -9), so the others must detect it and the resolver down it.
    /// </summary>
    public Node Start(bool crashable = false, bool fastLocalShards = true)
    {
        var system = StartMember(crashable, _journal, Nodes.Count == 0 ? null : Nodes[0].Address);

        var dataPlane = new RecordingDataPlane();
        var core = GatewayCore.Start(system, Policy, Clients, dataPlane, new InMemoryResponderServices(Policy.Pools), null,
            GatewayCoreOptions.Default with
            {
                StateKeys = _keys,
                LocalShardRefresh = fastLocalShards ? TimeSpan.FromMilliseconds(200) : null,
                Responder = ResponderOptions.Default with { LivenessInterval = null }, // no probes crossing the tests' exchanges
            });
        var node = new Node(system, core, dataPlane);
        Nodes.Add(node);
        return node;
    }

    /// <summary>
    /// An ActorSystem that is Up in the cluster of <paramref name="seed"/> (null: a new cluster), on
    /// <paramref name="journal"/>, with fast failure detection; <paramref name="crashable"/>: see <see cref="Start"/>.
    /// </summary>
    public static ActorSystem StartMember(bool crashable, Config journal, Address? seed)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.coordinated-shutdown.run-by-actor-system-terminate = {{(crashable ? "off" : "on")}}
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
            akka.cluster.failure-detector.heartbeat-interval = 250ms
            # Rebalancing would move shards under the tests' feet; hand-off on leave and failover are what is tested.
            akka.cluster.sharding.rebalance-interval = 1h
            """)
            .WithFallback(journal)
            .WithFallback(GatewayClusterConfig.SingleNode(port: 0))
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("gateway", config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(seed ?? cluster.SelfAddress);
        Assert.True(up.Task.Wait(Patience), "the node did not come up");
        return system;
    }

    /// <summary>Waits until every node is Up in every node's view.</summary>
    public void AwaitConverged()
    {
        Assert.True(SpinWait.SpinUntil(() => Nodes.All(n =>
            Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == Nodes.Count), Patience), "the cluster did not converge");
    }

    /// <summary>Opens half-open SAs through each node until every node hosts shards (so new SPIs land on the node asked).</summary>
    public void SpreadShards()
    {
        int client = 200;
        Assert.True(SpinWait.SpinUntil(() =>
        {
            foreach (var node in Nodes)
            {
                var endpoint = new IPEndPoint(IPAddress.Parse($"192.0.2.{client++ % 250 + 1}"), 500);
                node.Core.Ingress.Receive(IkeMessages.Init(endpoint, (ulong)client));
            }
            Thread.Sleep(300);
            return Nodes.All(n => n.Core.LocalShards.Current.Count > 0);
        }, Patience), "shards did not spread over the nodes");
    }

    /// <summary>A client whose requests enter through <see cref="Client.Via"/> and whose answers come from any node.</summary>
    public Client NewClient(int index, Node via, bool initialContact = false)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse($"203.0.113.{index + 1}"), 500);
        var queue = Clients.To(endpoint);
        Client? client = null;
        var initiator = new TestInitiator((datagram, _) =>
        {
            client!.Via.Core.Ingress.Receive(datagram);
            // The answer (a response) from whichever node holds the SA; requests of the gateway are not expected here.
            Assert.True(queue.TryTake(out var sent, Patience), $"client {index}: no answer from the cluster");
            return new IkeSaStep([sent!], [], [], false);
        }, endpoint, GatewayEndpoint) { SendInitialContact = initialContact };
        client = new Client(initiator, index) { Via = via };
        return client;
    }

    public sealed record Client(TestInitiator Initiator, int Index) : IDisposable
    {
        /// <summary>The node the client's packets reach (packet steering's choice; a dead node's clients move on).</summary>
        public required Node Via { get; set; }

        public IPAddress? Address { get; private set; }
        public ulong Session => Gateway.Core.Routing.SpiShardMap.SessionOf(Initiator.SpiR);

        /// <summary>IKE_SA_INIT and IKE_AUTH (PSK) asking for an IPv4 address; the address is kept.</summary>
        public void Connect(string? identity = null)
        {
            Initiator.SaInit("aes256-sha256-modp2048");
            var round = Initiator.AuthenticateWithPsk(identity ?? User(Index), TestGateway.Psk,
                TestInitiator.ChildPayloads("aes256-sha256", 0xC0000000u + (uint)Index, TestInitiator.AddressRequest(v6: false)));
            var cp = Assert.Single(round.Response!.OfType<ConfigurationPayload>());
            var attribute = Assert.Single(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp4Address);
            Address = new IPAddress(attribute.Value.Span);
        }

        /// <summary>An empty INFORMATIONAL (liveness) with the SA's keys: answered only by a node holding its state.</summary>
        public bool Alive() => Initiator.Request(ExchangeType.Informational, []).Response is not null;

        public void Dispose() => Initiator.Dispose();
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes (node <paramref name="crashable"/> crashable, -1: none), spreads shards,
    /// and connects two clients through each node; each node then holds the sessions that entered through it. Returns
    /// the clients (client i entered through node i % count) and the last node. Node 0 is the oldest: it runs the
    /// shard coordinator and the address registry.
    /// </summary>
    public (List<Client> Clients, Node Last) StartWithClientsOnEachNode(int count, int crashable = -1)
    {
        for (int i = 0; i < count; i++)
            Start(crashable: i == crashable);
        AwaitConverged();
        SpreadShards();
        var clients = new List<Client>();
        for (int i = 0; i < 2 * count; i++)
        {
            var client = NewClient(i, Nodes[i % count]);
            client.Connect();
            clients.Add(client);
        }
        for (int n = 0; n < count; n++)
        {
            var hosted = Nodes[n].Sessions();
            Assert.Contains(clients[n].Session, hosted);
            Assert.Contains(clients[n + count].Session, hosted);
        }
        Assert.Equal(clients.Count, clients.Select(c => c.Address).Distinct().Count());
        return (clients, Nodes[^1]);
    }

    /// <summary>
    /// After <paramref name="gone"/> left or died: the survivors re-install every child SA of <paramref name="before"/>
    /// (same SPIs, keys, virtual addresses), every client's IKE SA answers with its old keys (no re-authentication; a
    /// client of the gone node now reaches a survivor, as packet steering would send it), and a new client gets an
    /// address nobody holds.
    /// </summary>
    public void AssertTunnelsContinueWithout(List<Client> clients, Node gone, IReadOnlyDictionary<uint, ChildSaInstallation> before)
    {
        var survivors = Nodes.Where(n => n != gone).ToList();
        Assert.True(SpinWait.SpinUntil(() => Installed(survivors).Count == before.Count, Patience),
            "the moved sessions did not re-install their child SAs on the survivors");
        var after = Installed(survivors);
        foreach (var (spi, sa) in before)
        {
            var moved = after[spi];
            Assert.Equal(sa.OutboundSpi, moved.OutboundSpi);
            Assert.Equal(sa.InboundEncryptionKey, moved.InboundEncryptionKey);
            Assert.Equal(sa.OutboundEncryptionKey, moved.OutboundEncryptionKey);
            Assert.Equal(sa.RemoteInnerAddresses, moved.RemoteInnerAddresses);
        }
        foreach (var client in clients)
        {
            if (client.Via == gone)
                client.Via = survivors[client.Index % survivors.Count];
            var keys = client.Initiator.Keys;
            Assert.True(client.Alive(), $"client {client.Index} lost its IKE SA");
            Assert.Same(keys, client.Initiator.Keys);
        }
        var hosted = survivors.SelectMany(n => n.Sessions()).ToHashSet();
        Assert.All(clients, c => Assert.Contains(c.Session, hosted));

        using var late = NewClient(30, survivors[0]);
        late.Connect();
        Assert.DoesNotContain(late.Address, clients.Select(c => c.Address));
    }

    /// <summary>All child SAs installed anywhere, by inbound SPI.</summary>
    public IReadOnlyDictionary<uint, ChildSaInstallation> Installed(IEnumerable<Node>? nodes = null) =>
        (nodes ?? Nodes).SelectMany(n => n.DataPlane.Installed).ToDictionary(kv => kv.Key, kv => kv.Value);

    public void Dispose()
    {
        foreach (var node in Nodes)
            node.System.Terminate().Wait(Patience);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a pooled handle on some platforms; the temp directory goes with the machine's cleanup
        }
    }
}
