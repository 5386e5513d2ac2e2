using Akka.Actor.Setup;
using Akka.Persistence.Sql.Journal;
using Gateway.Core.Sessions;
using LinqToDB;
using LinqToDB.Data;

namespace Gateway.Core.Persistence;

/// <summary>
/// The connection options of <see cref="GatewaySqlJournal"/>'s own statements: the same as the plugin's
/// (Akka.Persistence.Sql's DataOptionsSetup keeps its options private), so that they go through the same connection
/// interceptors (SQLite's synchronous level). Without it the plugin's connection string and provider are used.
/// </summary>
public sealed class JournalConnectionSetup(DataOptions options) : Setup
{
    public DataOptions Options { get; } = options;
}

/// <summary>
/// Akka.Persistence.Sql's journal with one change: deleting a session's events is one <c>DELETE</c> statement. The
/// plugin's delete is a transaction of four linq2db-built statements (mark as deleted, read the highest marked, delete
/// below it, delete tags) that keeps the last row, marked deleted, so that the highest sequence number can still be
/// read; an ended SA's last state (its keys, encrypted) stayed in the journal for good, one row per tunnel ever
/// established, and the delete was about a third of the journal's CPU per handshake (docs/loadtest-profile.md).
/// Sessions need neither: a session id is drawn at random and a session that restarts its journal recovers its last
/// sequence number before writing, and a session whose rows are all gone has nothing to recover. Every other
/// persistence id (the address registry) keeps the plugin's semantics.
/// </summary>
public sealed class GatewaySqlJournal : SqlWriteJournal
{
    // The plugin's default table mapping (GatewayPersistenceConfig does not change it).
    private const string DeleteSql = "DELETE FROM journal WHERE persistence_id = @pid AND sequence_number <= @to";

    private readonly DataOptions _options;

    public GatewaySqlJournal(Akka.Configuration.Config journalConfig) : base(journalConfig)
    {
        _options = Context.System.Settings.Setup.Get<JournalConnectionSetup>().Value?.Options
            ?? new DataOptions().UseConnectionString(journalConfig.GetString("provider-name"), journalConfig.GetString("connection-string"));
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        if (!SessionJournal.TryParsePersistenceId(persistenceId, out _))
        {
            await base.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);
            return;
        }
        await using var connection = new DataConnection(_options);
        await connection.ExecuteAsync(DeleteSql, cancellationToken, new DataParameter("pid", persistenceId), new DataParameter("to", toSequenceNr));
    }
}
