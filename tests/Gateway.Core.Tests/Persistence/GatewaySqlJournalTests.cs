using Akka.Actor;
using Akka.Persistence;
using Gateway.Core.Hosting;
using Gateway.Core.Sessions;
using Microsoft.Data.Sqlite;

namespace Gateway.Core.Tests.Persistence;

/// <summary>
/// The journal deletes a session's events with one statement and leaves nothing of an ended session; any other
/// persistence id (the address registry) keeps the plugin's delete, which keeps the last row so that its highest
/// sequence number survives.
/// </summary>
public sealed class GatewaySqlJournalTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-journal-{Guid.NewGuid():N}.db");

    /// <summary>Recovers, persists <c>events</c> strings, deletes up to the last if asked, then answers its last sequence number.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string persistenceId, int events, bool delete)
        {
            PersistenceId = persistenceId;
            IActorRef? asker = null;
            Command<string>(_ =>
            {
                asker = Sender;
                PersistAll(Enumerable.Range(1, events).Select(i => $"state {i}"), _ =>
                {
                    if (LastSequenceNr % events != 0)
                        return;
                    if (delete)
                        DeleteMessages(LastSequenceNr);
                    else
                        asker.Tell(LastSequenceNr);
                });
            });
            Command<DeleteMessagesSuccess>(_ => asker!.Tell(LastSequenceNr));
            Command<DeleteMessagesFailure>(f => asker!.Tell(new Status.Failure(f.Cause)));
            Recover<string>(_ => { });
        }

        public override string PersistenceId { get; }
    }

    [Fact]
    public async Task An_ended_sessions_rows_are_all_deleted_and_other_ids_keep_their_highest_sequence_number()
    {
        var system = StartSystem();
        string session = SessionJournal.PersistenceIdOf(7);
        const string other = "gateway-address-registry";
        try
        {
            Assert.Equal(3L, await Run(system, session, 3, delete: true));
            Assert.Equal(3L, await Run(system, other, 3, delete: true));
            Assert.Equal(0, CountRows(session));
            Assert.Equal(1, CountRows(other)); // the plugin's delete keeps the last row, marked deleted

            // Nothing of the ended session is left: the same id starts again from 1 (the registry from its highest).
            Assert.Equal(1L, await Run(system, session, 1, delete: false));
            Assert.Equal(4L, await Run(system, other, 1, delete: false));
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    /// <summary>Answers what it recovered: the events in order and the last sequence number.</summary>
    private sealed class Reader : ReceivePersistentActor
    {
        public Reader(string persistenceId)
        {
            PersistenceId = persistenceId;
            var events = new List<string>();
            Recover<string>(events.Add);
            Command<string>(_ => Sender.Tell((string.Join(",", events), LastSequenceNr)));
        }

        public override string PersistenceId { get; }
    }

    [Fact]
    public async Task A_sessions_events_written_by_the_journal_are_read_back_by_the_plugin()
    {
        var system = StartSystem();
        string session = SessionJournal.PersistenceIdOf(9);
        try
        {
            // Several sessions at once share the writer's transactions.
            var writes = Enumerable.Range(0, 20).Select(i => Run(system, SessionJournal.PersistenceIdOf(100 + (ulong)i), 2, delete: false)).ToList();
            Assert.Equal(3L, await Run(system, session, 3, delete: false));
            Assert.All(await Task.WhenAll(writes), last => Assert.Equal(2L, last));

            var recovered = await system.ActorOf(Props.Create(() => new Reader(session))).Ask<(string, long)>("report", Patience);
            Assert.Equal(("state 1,state 2,state 3", 3L), recovered);
            Assert.Equal(3, CountRows(session));

            // A sequence number written twice is refused, and only that write fails.
            var duplicate = system.ActorOf(Props.Create(() => new Writer(session, 1, false)));
            await Assert.ThrowsAnyAsync<Exception>(() => system.ActorOf(Props.Create(() => new DuplicateWriter(session))).Ask<long>("go", Patience));
            Assert.Equal(4L, await duplicate.Ask<long>("go", Patience));
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    /// <summary>Writes sequence number 1 again without recovering (as a session with a colliding id would), answering the failure.</summary>
    private sealed class DuplicateWriter : ReceiveActor
    {
        public DuplicateWriter(string persistenceId)
        {
            IActorRef? asker = null;
            Receive<string>(_ =>
            {
                asker = Sender;
                var persistent = new Persistent("again", 1, persistenceId, "", false, ActorRefs.NoSender, "w");
                Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null)
                    .Tell(new WriteMessages([new AtomicWrite(persistent)], Self, 1));
            });
            Receive<WriteMessageFailure>(f => asker!.Tell(new Status.Failure(f.Cause)));
            Receive<WriteMessageSuccess>(_ => asker!.Tell(1L));
            Receive<WriteMessagesSuccessful>(_ => { });
            Receive<WriteMessagesFailed>(_ => { });
        }
    }

    private ActorSystem StartSystem() => ActorSystem.Create("journal",
        GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration));

    private static Task<long> Run(ActorSystem system, string persistenceId, int events, bool delete) =>
        system.ActorOf(Props.Create(() => new Writer(persistenceId, events, delete))).Ask<long>("go", Patience);

    private long CountRows(string persistenceId)
    {
        using var connection = new SqliteConnection(GatewayPersistenceConfig.SqliteConnectionString(_file));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void The_gateways_journal_configuration_is_accepted_and_another_table_mapping_is_refused_by_name()
    {
        var config = GatewayPersistenceConfig.Sql("Data Source=x.db", GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration)
            .GetConfig("akka.persistence.journal.sql");
        Assert.Null(Gateway.Core.Persistence.GatewaySqlJournal.TableMappingProblem(config));

        var legacy = Akka.Configuration.ConfigurationFactory.ParseString("table-mapping = sqlite").WithFallback(config);
        Assert.Contains("table-mapping = sqlite", Gateway.Core.Persistence.GatewaySqlJournal.TableMappingProblem(legacy));
        var renamed = Akka.Configuration.ConfigurationFactory.ParseString("default.journal.table-name = events").WithFallback(config);
        Assert.Contains("journal table name", Gateway.Core.Persistence.GatewaySqlJournal.TableMappingProblem(renamed));
        var column = Akka.Configuration.ConfigurationFactory.ParseString("default.journal.columns.message = payload").WithFallback(config);
        Assert.Contains("column message = payload", Gateway.Core.Persistence.GatewaySqlJournal.TableMappingProblem(column));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }
}
