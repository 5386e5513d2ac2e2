using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Core.Hosting;
using Gateway.Core.Sessions;
using Microsoft.Data.Sqlite;

namespace Gateway.Core.Tests.Persistence;

/// <summary>
/// The session waker takes the live sessions to be the journal's current persistence ids: an ended session's history
/// is deleted, so it must not be among them — or every sweep would wake every tunnel that ever existed.
/// </summary>
public sealed class LiveSessionQueryTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-live-{Guid.NewGuid():N}.db");

    /// <summary>Persists one event under a session's persistence id, optionally deletes it, then answers "done".</summary>
    internal sealed class OneEvent : ReceivePersistentActor
    {
        public OneEvent(ulong session, bool delete)
        {
            PersistenceId = SessionJournal.PersistenceIdOf(session);
            IActorRef? asker = null;
            Command<string>(_ =>
            {
                asker = Sender;
                Persist("state", _ =>
                {
                    if (delete)
                        DeleteMessages(LastSequenceNr);
                    else
                        asker.Tell("done");
                });
            });
            Command<DeleteMessagesSuccess>(_ => asker!.Tell("done"));
            Recover<string>(_ => { });
        }

        public override string PersistenceId { get; }
    }

    [Fact]
    public async Task An_ended_sessions_deleted_history_is_not_a_live_session()
    {
        var config = GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString(_file), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("live", config);
        try
        {
            var ended = system.ActorOf(Props.Create(() => new OneEvent(1, true)));
            var live = system.ActorOf(Props.Create(() => new OneEvent(2, false)));
            Assert.Equal("done", await ended.Ask<string>("go", Patience));
            Assert.Equal("done", await live.Ask<string>("go", Patience));

            var query = PersistenceQuery.Get(system).ReadJournalFor<ICurrentPersistenceIdsQuery>(GatewayPersistenceConfig.ReadJournalPluginId);
            var ids = await query.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), system.Materializer()).WaitAsync(Patience);
            Assert.Contains(SessionJournal.PersistenceIdOf(2), ids);
            Assert.DoesNotContain(SessionJournal.PersistenceIdOf(1), ids);
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(path);
    }
}
