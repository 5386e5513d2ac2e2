using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor.Setup;
using Akka.Persistence;
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
/// Akka.Persistence.Sql's journal, with a session's rows written and deleted by our own SQL: the events inserted by
/// <see cref="SessionRowWriter"/> (one fixed SQL text instead of linq2db building each INSERT), and the delete one
/// <c>DELETE</c> statement. The
/// plugin's delete is a transaction of four linq2db-built statements (mark as deleted, read the highest marked, delete
/// below it, delete tags) that keeps the last row, marked deleted, so that the highest sequence number can still be
/// read; an ended SA's last state (its keys, encrypted) stayed in the journal for good, one row per tunnel ever
/// established, and the delete was about a third of the journal's CPU per handshake (docs/loadtest-profile.md).
/// Sessions need neither: a session id is drawn at random and a session that restarts its journal recovers its last
/// sequence number before writing, and a session whose rows are all gone has nothing to recover. Every other
/// persistence id (the address registry, sharding's coordinator) keeps the plugin's writes and delete.
/// </summary>
public sealed class GatewaySqlJournal : SqlWriteJournal
{
    // The plugin's default table mapping (GatewayPersistenceConfig does not change it).
    private const string DeleteSql = "DELETE FROM journal WHERE persistence_id = @pid AND sequence_number <= @to";

    private readonly DataOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SessionRowWriter _sessionRows;

    /// <summary>Session writes not yet committed, by persistence id: a highest-sequence-number read waits for them.</summary>
    private readonly ConcurrentDictionary<string, Task> _sessionWritesInFlight = new();

    public GatewaySqlJournal(Akka.Configuration.Config journalConfig) : base(journalConfig)
    {
        if (TableMappingProblem(journalConfig) is { } problem)
            throw new Akka.Configuration.ConfigurationException(problem);
        _options = Context.System.Settings.Setup.Get<JournalConnectionSetup>().Value?.Options
            ?? new DataOptions().UseConnectionString(journalConfig.GetString("provider-name"), journalConfig.GetString("connection-string"));
        _sessionRows = new SessionRowWriter(_options, _stopping.Token);
    }

    /// <summary>
    /// Why our SQL cannot be used with this journal configuration, or null: its statements name the table and columns
    /// of the plugin's default mapping, which the gateway never changes, but a raw Akka override could.
    /// </summary>
    internal static string? TableMappingProblem(Akka.Configuration.Config journalConfig)
    {
        static bool IsDefault(string? value, string expected) => string.IsNullOrEmpty(value) || value == expected;
        string mapping = journalConfig.GetString("table-mapping");
        if (!IsDefault(mapping, "default"))
            return $"gateway journal: table-mapping = {mapping} is not supported (session rows are written with the plugin's default mapping)";
        var table = journalConfig.GetConfig("default.journal");
        if (!string.IsNullOrEmpty(journalConfig.GetString("default.schema-name")) || table is not null && !IsDefault(table.GetString("table-name"), "journal"))
            return "gateway journal: a schema or journal table name other than the default is not supported (session rows are written to \"journal\")";
        string[] columns = ["deleted", "persistence-id", "sequence-number", "created", "message", "identifier", "manifest", "writer-uuid"];
        foreach (var column in columns)
        {
            string? name = table?.GetString($"columns.{column}");
            if (!IsDefault(name, column.Replace('-', '_')))
                return $"gateway journal: column {column} = {name} is not supported (session rows are written with the default column names)";
        }
        return null;
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        base.PostStop();
    }

    /// <summary>
    /// A session's events: serialized as the plugin does (the serializer bound to the payload, its manifest) and inserted
    /// by <see cref="SessionRowWriter"/>; the plugin reads them back as its own. Anything else: the plugin.
    /// </summary>
    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        if (writes.Count == 0 || !SessionJournal.TryParsePersistenceId(writes[0].PersistenceId, out _))
            return await base.WriteMessagesAsync(writes, cancellationToken);

        var rows = new List<JournalRowValues>();
        var rejections = new Exception?[writes.Count];
        for (int i = 0; i < writes.Count; i++)
        {
            try
            {
                rows.AddRange(Serialize(writes[i]));
            }
            catch (Exception e)
            {
                rejections[i] = e; // as the plugin does: this write is rejected, the others go on
            }
        }
        string persistenceId = writes[0].PersistenceId;
        var written = _sessionRows.WriteAsync(rows);
        _sessionWritesInFlight[persistenceId] = written;
        try
        {
            await written;
        }
        finally
        {
            _sessionWritesInFlight.TryRemove(new KeyValuePair<string, Task>(persistenceId, written));
        }
        // null: every write succeeded (Akka's contract); otherwise one entry per write, null where it succeeded.
        return rejections.Any(e => e is not null) ? ImmutableList.CreateRange(rejections.Select(e => e!)) : null!;
    }

    /// <summary>The rows of one atomic write, serialized as the plugin does (the serializer bound to the payload, its manifest).</summary>
    private List<JournalRowValues> Serialize(AtomicWrite write)
    {
        var serialization = Context.System.Serialization;
        var rows = new List<JournalRowValues>();
        foreach (var persistent in (IEnumerable<IPersistentRepresentation>)write.Payload)
        {
            var serializer = serialization.FindSerializerFor(persistent.Payload);
            rows.Add(new JournalRowValues(persistent.PersistenceId, persistent.SequenceNr,
                persistent.Timestamp != 0 ? persistent.Timestamp : DateTime.UtcNow.Ticks, serializer.ToBinary(persistent.Payload),
                Akka.Serialization.Serialization.ManifestFor(serializer, persistent.Payload), serializer.Identifier, persistent.WriterGuid));
        }
        return rows;
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_sessionWritesInFlight.TryGetValue(persistenceId, out var inFlight))
            await inFlight.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
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
