using Akka.Actor;

namespace Gateway.Core.Tests.MultiNode;

/// <summary>
/// Three gateway nodes in one process over one SQLite journal (issue 5 §1, §3, §4, §6, §7): addresses unique across
/// nodes and per session; INITIAL_CONTACT across nodes; a node leaving gracefully or dying hands its sessions to the
/// survivors, which recover them from the journal with the same keys and carry on without re-authentication.
/// </summary>
public sealed class MultiNodeTests : IDisposable
{
    private readonly ClusterNodes _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task A_node_that_leaves_hands_its_sessions_over_and_no_tunnel_is_lost()
    {
        var (clients, leaving) = _cluster.StartWithClientsOnEachNode(3);
        var before = _cluster.Installed();
        Assert.Equal(6, before.Count);
        Assert.Equal(2, leaving.DataPlane.Installed.Count);

        // SIGTERM: the host runs CoordinatedShutdown, which leaves the cluster after handing the shards over.
        await CoordinatedShutdown.Get(leaving.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(ClusterNodes.Patience);
        await leaving.System.WhenTerminated.WaitAsync(ClusterNodes.Patience);
        Assert.Empty(leaving.DataPlane.Installed); // its child SAs left with its sessions

        _cluster.AssertTunnelsContinueWithout(clients, leaving, before);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_node_that_dies_has_its_sessions_recovered_from_the_journal_by_the_survivors()
    {
        var (clients, dying) = _cluster.StartWithClientsOnEachNode(3, crashable: 2);
        var before = _cluster.Installed();

        // kill -9: no leaving, no hand-off. The others see it unreachable; the split brain resolver (keep-majority,
        // 2 of 3) downs it after stable-after, and its shards start on the survivors after the down-removal margin.
        await dying.System.Terminate().WaitAsync(ClusterNodes.Patience);

        _cluster.AssertTunnelsContinueWithout(clients, dying, before);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_survivor_that_admitted_the_IKE_SA_INIT_of_a_session_hosted_on_the_dead_node_recovers_it()
    {
        // The admitting node knows no local shards, so its SPIs land in any shard; its half-open gate entry for a
        // session hosted on the other node is released there, not here, and so outlives the handshake (30 s).
        var admitting = _cluster.Start(fastLocalShards: false);
        var dying = _cluster.Start(crashable: true);
        _cluster.AwaitConverged();
        ClusterNodes.Client? client = null;
        for (int i = 0; client is null; i++)
        {
            Assert.True(i < 24, "no session of a client entering through the first node landed on the second");
            var candidate = _cluster.NewClient(i, admitting);
            candidate.Connect();
            if (dying.Sessions().Contains(candidate.Session))
                client = candidate;
            else
                candidate.Dispose();
        }
        var installed = Assert.Single(dying.DataPlane.Installed, kv => kv.Value.RemoteInnerAddresses.Contains(client.Address!));

        // kill -9, downed at once: the admitting node is the only one left, so the session's shard moves to it.
        await dying.System.Terminate().WaitAsync(ClusterNodes.Patience);
        Akka.Cluster.Cluster.Get(admitting.System).Down(dying.Address);

        Assert.True(SpinWait.SpinUntil(() => admitting.DataPlane.Installed.ContainsKey(installed.Key), ClusterNodes.Patience),
            "the session was not recovered from the journal on the node whose gate still held its IKE_SA_INIT");
        var keys = client.Initiator.Keys;
        Assert.True(client.Alive(), "the client lost its IKE SA");
        Assert.Same(keys, client.Initiator.Keys);
        client.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_oldest_node_going_moves_the_coordinator_and_the_address_registry_with_their_state(bool crash)
    {
        var (clients, _) = _cluster.StartWithClientsOnEachNode(3, crashable: crash ? 0 : -1);
        var oldest = _cluster.Nodes[0];
        var before = _cluster.Installed();

        if (crash)
            await oldest.System.Terminate().WaitAsync(ClusterNodes.Patience);
        else
            await CoordinatedShutdown.Get(oldest.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(ClusterNodes.Patience);
        await oldest.System.WhenTerminated.WaitAsync(ClusterNodes.Patience);

        // The registry recovers its leases from the journal on the next oldest node: the new client asserted on at
        // the end gets none of the six addresses.
        _cluster.AssertTunnelsContinueWithout(clients, oldest, before);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public void Addresses_are_unique_per_session_across_nodes_and_INITIAL_CONTACT_replaces_sessions_on_other_nodes()
    {
        _cluster.Start();
        _cluster.Start();
        _cluster.Start();
        _cluster.AwaitConverged();
        _cluster.SpreadShards();
        const string identity = "user20.example";

        // The same identity from two clients at once, entering through different nodes: two addresses.
        using var first = _cluster.NewClient(10, _cluster.Nodes[0]);
        using var second = _cluster.NewClient(11, _cluster.Nodes[1]);
        first.Connect(identity);
        second.Connect(identity);
        Assert.NotEqual(first.Address, second.Address);
        Assert.Contains(first.Session, _cluster.Nodes[0].Sessions());
        Assert.Contains(second.Session, _cluster.Nodes[1].Sessions());

        // The identity comes back with INITIAL_CONTACT through the third node: it keeps one of its addresses, and
        // its older sessions — on the two other nodes — are deleted.
        using var third = _cluster.NewClient(12, _cluster.Nodes[2], initialContact: true);
        third.Connect(identity);
        Assert.Contains(third.Address, new[] { first.Address, second.Address });
        Assert.True(SpinWait.SpinUntil(() =>
            _cluster.Nodes.SelectMany(n => n.Sessions()).ToHashSet().SetEquals(new[] { third.Session }), ClusterNodes.Patience),
            "the older sessions of the identity were not deleted on the other nodes");
        Assert.True(third.Alive());

        // Others never get an address someone holds.
        using var other = _cluster.NewClient(13, _cluster.Nodes[1]);
        other.Connect();
        Assert.NotEqual(third.Address, other.Address);
    }
}
