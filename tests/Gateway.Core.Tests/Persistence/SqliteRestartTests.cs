using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Gateway.Core.DataPlane;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Core.Tests.Actors;
using Gateway.Core.Tests.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;
using Microsoft.Data.Sqlite;

namespace Gateway.Core.Tests.Persistence;

/// <summary>
/// The whole path on a real SQLite journal (Akka.Persistence.Sql, a temp file): a client establishes through the
/// ingress; the node stops; a new node on the same file recovers the remembered session, re-installs the child SA
/// (outbound sequence above the persisted mark, inbound replay window from the persisted inbound mark) and answers the
/// client's liveness check with the old keys.
/// </summary>
public sealed class SqliteRestartTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly IPEndPoint ClientEndpoint = new(IPAddress.Parse("192.0.2.10"), 500);
    private static readonly IPEndPoint GatewayEndpoint = new(IPAddress.Parse("198.51.100.1"), 500);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-journal-{Guid.NewGuid():N}.db");

    private sealed class QueueTransport : IIkeTransport
    {
        public BlockingCollection<IkeDatagram> Sent { get; } = new();

        public void Send(IkeDatagram datagram) => Sent.Add(datagram);
    }

    private sealed record Node(ActorSystem System, GatewayCoreHandle Core, QueueTransport Wire, RecordingDataPlane DataPlane) : IDisposable
    {
        public void Dispose() => System.Terminate().Wait(Patience);
    }

    private Node Start(StateKeyRing keys, TestGateway gateway)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING")
            .WithFallback(GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider))
            .WithFallback(GatewayClusterConfig.SingleNode(port: 0))
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("gateway", config);
        Assert.True(GatewayClusterConfig.JoinSelfAsync(system).Wait(Patience));
        var wire = new QueueTransport();
        var dataPlane = new RecordingDataPlane();
        var core = GatewayCore.Start(system, gateway.Policy, wire, dataPlane, gateway.Services, null,
            GatewayCoreOptions.Default with
            {
                StateKeys = keys, LocalShardRefresh = null,
                // Counters polled often and every inbound advance saved, so the inbound mark reaches the journal at once.
                CounterPollInterval = TimeSpan.FromMilliseconds(200), InboundMarkInterval = TimeSpan.Zero,
            });
        return new Node(system, core, wire, dataPlane);
    }

    private static IkeSaStep Through(Node node, IkeDatagram datagram)
    {
        node.Core.Ingress.Receive(datagram);
        Assert.True(node.Wire.Sent.TryTake(out var sent, Patience), "no answer from the gateway");
        return new IkeSaStep([sent!], [], [], false);
    }

    [Fact]
    public void Established_session_survives_a_restart_on_the_same_SQLite_file()
    {
        var keys = new StateKeyRing(StateKey.Generate());
        var gateway = new TestGateway();
        Node node = Start(keys, gateway);
        using var client = new TestInitiator((d, _) => Through(node, d), ClientEndpoint, GatewayEndpoint);
        client.SaInit("aes256-sha256-modp2048");
        client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, TestInitiator.AddressRequest(v6: false)));
        // No waiting: the last IKE_AUTH response leaves only once the established state is stored, so a node killed
        // right after it cannot leave the client holding a tunnel no survivor knows of.
        Assert.True(HighestSessionEvent() >= 1, "the client was told 'established' before the state was in the journal");
        SpinWait.SpinUntil(() => node.DataPlane.Installed.Count == 1, Patience);
        var first = node.DataPlane.Installed.Values.Single();
        Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
        // Two states written (established; message IDs after the liveness exchange, answered without waiting).
        Assert.True(SpinWait.SpinUntil(() => HighestSessionEvent() >= 2, Patience), "the journal did not get the session's state");
        // The data plane reports ESP received up to 4242: a third state (the inbound mark) before the node goes.
        node.DataPlane.Counters[first.InboundSpi] = new ChildSaCounters(10, 1000, 0, 0, 0, 0, DateTime.UtcNow) { InboundSequence = 4242 };
        Assert.True(SpinWait.SpinUntil(() => HighestSessionEvent() >= 3, Patience), "the inbound mark was not saved");
        node.Dispose();

        // A new node on the same file; the gateway's services are fresh (a new process).
        node = Start(keys, new TestGateway());
        try
        {
            // Remember-entities brings the session back without any packet; it re-installs the child SA.
            Assert.True(SpinWait.SpinUntil(() => node.DataPlane.Installed.Count == 1, Patience), "the session was not recovered");
            var restored = node.DataPlane.Installed.Values.Single();
            Assert.Equal(first.InboundSpi, restored.InboundSpi);
            Assert.Equal(first.InboundEncryptionKey, restored.InboundEncryptionKey);
            Assert.Equal(first.OutboundEncryptionKey, restored.OutboundEncryptionKey);
            Assert.True(restored.OutboundSequenceStart >= SessionPersistenceDefaults.Margin, "outbound sequence numbers restart above the persisted mark");
            Assert.Equal(4242ul, restored.InboundSequenceStart); // replays of what was received before are refused

            Assert.NotNull(client.Request(ExchangeType.Informational, []).Response); // old keys, next message ID
            // The restored session writes on after the last sequence number it recovered (a duplicate would be refused).
            Assert.True(SpinWait.SpinUntil(() => HighestSessionEvent() >= 4, Patience), "the restored session's new state was not stored");
            var close = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
            Assert.NotNull(close.Response);
            Assert.True(SpinWait.SpinUntil(() => node.DataPlane.Installed.IsEmpty, Patience));
            // The ended SA's history is deleted, so nothing brings it back.
            Assert.True(SpinWait.SpinUntil(() => LiveSessionEvents() == 0, Patience), "the ended session's history was not deleted");
        }
        finally
        {
            node.Dispose();
        }
    }

    /// <summary>
    /// RFC 6311 through the whole path: a client that announced message-ID and replay counter sync; after the restart
    /// the recovered session asks it (INFORMATIONAL #0) to move its ESP counters by the delta; once it answers, the
    /// data plane refuses everything up to the persisted inbound mark + delta, and that floor is saved: a node started
    /// after another restart resumes the window there.
    /// </summary>
    [Fact]
    public void Replay_counter_sync_after_a_restart_raises_the_inbound_floor_and_the_floor_survives_the_next_restart()
    {
        const ulong delta = 1ul << 23;
        var keys = new StateKeyRing(StateKey.Generate());
        Node node = Start(keys, new TestGateway());
        using var client = new TestInitiator((d, _) => Through(node, d), ClientEndpoint, GatewayEndpoint);
        client.SaInit("aes256-sha256-modp2048");
        var auth = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            [.. TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE02, TestInitiator.AddressRequest(v6: false)),
             NotifyPayload.Create(NotifyType.Ikev2MessageIdSyncSupported), NotifyPayload.Create(NotifyType.IpsecReplayCounterSyncSupported)]);
        Assert.NotNull(auth.Notify(NotifyType.IpsecReplayCounterSyncSupported));
        SpinWait.SpinUntil(() => node.DataPlane.Installed.Count == 1, Patience);
        var first = node.DataPlane.Installed.Values.Single();
        node.DataPlane.Counters[first.InboundSpi] = new ChildSaCounters(10, 1000, 0, 0, 0, 0, DateTime.UtcNow) { InboundSequence = 4242 };
        Assert.True(SpinWait.SpinUntil(() => HighestSessionEvent() >= 2, Patience), "the inbound mark was not saved");
        node.Dispose();

        node = Start(keys, new TestGateway());
        try
        {
            Assert.True(SpinWait.SpinUntil(() => node.DataPlane.Installed.Count == 1, Patience), "the session was not recovered");
            Assert.Equal(4242ul, node.DataPlane.Installed.Values.Single().InboundSequenceStart);
            Assert.True(node.Wire.Sent.TryTake(out var request, Patience), "no sync request after the restart");
            var (header, payloads, _) = Assert.Single(client.GatewayRequests(new IkeSaStep([request!], [], [], false)));
            Assert.Equal(0u, header.MessageId);
            var replay = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.IpsecReplayCounterSync);
            Assert.Equal(delta, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(replay.Data.Span));
            Assert.Empty(node.DataPlane.Floors);
            long saved = HighestSessionEvent();

            // The client answers (same nonce, the IDs it was given) — a response: the gateway sends nothing back.
            var midSync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
            var answer = client.Seal(ExchangeType.Informational, 0, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, midSync.Data.ToArray())], response: true);
            node.Core.Ingress.Receive(new IkeDatagram(answer, GatewayEndpoint, ClientEndpoint));
            Assert.True(SpinWait.SpinUntil(() => node.DataPlane.Floors.ContainsKey(first.InboundSpi), Patience), "the floor was not raised");
            Assert.Equal(4242 + delta, node.DataPlane.Floors[first.InboundSpi]);
            Assert.True(SpinWait.SpinUntil(() => HighestSessionEvent() > saved, Patience), "the raised floor was not saved");
        }
        finally
        {
            node.Dispose();
        }

        node = Start(keys, new TestGateway());
        try
        {
            Assert.True(SpinWait.SpinUntil(() => node.DataPlane.Installed.Count == 1, Patience), "the session was not recovered again");
            Assert.Equal(4242 + delta, node.DataPlane.Installed.Values.Single().InboundSequenceStart);
            Assert.NotNull(client.Request(ExchangeType.Informational, []).Response); // the tunnel carries on
        }
        finally
        {
            node.Dispose();
        }
    }

    private long HighestSessionEvent()
    {
        using var connection = new SqliteConnection($"Data Source={_file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_number), 0) FROM journal WHERE persistence_id LIKE 'ike-session-%'";
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0; // the journal creates its tables on its first write; polled before that, nothing is written yet
        }
    }

    [Fact]
    public async Task A_probe_finds_a_running_session_and_not_one_that_is_gone()
    {
        var gateway = new TestGateway();
        using Node node = Start(new StateKeyRing(StateKey.Generate()), gateway);
        using var client = new TestInitiator((d, _) => Through(node, d), ClientEndpoint, GatewayEndpoint);
        client.SaInit("aes256-sha256-modp2048");
        client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, TestInitiator.AddressRequest(v6: false)));
        ulong session = Gateway.Core.Routing.SpiShardMap.SessionOf(client.SpiR);

        var running = await node.Core.Region.Ask<Gateway.Core.Sessions.SessionProbed>(
            new Gateway.Core.Sessions.ProbeSession(Gateway.Core.Routing.SpiShardMap.SpiOf(session, 0)), Patience);
        Assert.Equal(new Gateway.Core.Sessions.SessionProbed(session, Running: true), running);

        // A session that is not running (nothing in the journal either) is started, finds nothing and says so.
        ulong gone = session ^ 0x5a5a5a;
        var answer = await node.Core.Region.Ask<Gateway.Core.Sessions.SessionProbed>(
            new Gateway.Core.Sessions.ProbeSession(Gateway.Core.Routing.SpiShardMap.SpiOf(gone, 0)), Patience);
        Assert.Equal(new Gateway.Core.Sessions.SessionProbed(gone, Running: false), answer);
    }

    private long LiveSessionEvents() => (long)Scalar("SELECT count(*) FROM journal WHERE persistence_id LIKE 'ike-session-%' AND deleted = 0");

    private object Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }

    private static class SessionPersistenceDefaults
    {
        public const ulong Margin = Gateway.Core.Sessions.SessionPersistence.DefaultSequenceMargin;
    }
}
