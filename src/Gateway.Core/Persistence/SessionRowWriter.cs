using System.Threading.Channels;
using LinqToDB;
using LinqToDB.Data;

namespace Gateway.Core.Persistence;

/// <summary>One journal row, serialized as Akka.Persistence.Sql stores it (its default table mapping).</summary>
internal sealed record JournalRowValues(string PersistenceId, long SequenceNr, long Created, byte[] Message, string Manifest, int Identifier, string WriterUuid);

/// <summary>
/// Inserts session events into the journal table with one prepared-once SQL text, in batches: every row handed over
/// while a transaction is being written goes into the next one. One writer at a time, so SQLite's single write lock
/// is never contended by our own writes. The plugin builds each INSERT with linq2db's query builder, which was about
/// a tenth of a warm gateway's CPU per handshake (docs/loadtest-profile.md).
/// </summary>
internal sealed class SessionRowWriter
{
    private const string InsertSql =
        "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
        "VALUES (@created, @deleted, @pid, @seq, @message, @manifest, @identifier, @writer)";

    private readonly DataOptions _options;
    private readonly Channel<(IReadOnlyList<JournalRowValues> Rows, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(IReadOnlyList<JournalRowValues>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    public SessionRowWriter(DataOptions options, CancellationToken stopping)
    {
        _options = options;
        _ = Task.Run(() => RunAsync(stopping), CancellationToken.None);
    }

    /// <summary>Completes once the rows are committed (all of them, in one transaction) or fails with the batch.</summary>
    public Task WriteAsync(IReadOnlyList<JournalRowValues> rows)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((rows, done)))
            done.SetException(new InvalidOperationException("the journal is stopping"));
        return done.Task;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var batch = new List<(IReadOnlyList<JournalRowValues> Rows, TaskCompletionSource Done)>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping))
            {
                while (batch.Count < 200 && _queue.Reader.TryRead(out var item))
                    batch.Add(item);
                if (!await TryInsertAsync(batch, stopping) && batch.Count > 1)
                {
                    // One bad row (a duplicate sequence number) must not fail the other sessions' writes: each alone.
                    foreach (var item in batch)
                        await TryInsertAsync([item], stopping);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
            foreach (var item in batch)
                item.Done.TrySetException(new OperationCanceledException("the journal stopped"));
        }
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left))
            left.Done.TrySetException(new OperationCanceledException("the journal stopped"));
    }

    /// <summary>Commits the batch and completes its writers; false (writers untouched when several) if it failed.</summary>
    private async Task<bool> TryInsertAsync(List<(IReadOnlyList<JournalRowValues> Rows, TaskCompletionSource Done)> batch, CancellationToken stopping)
    {
        try
        {
            await InsertAsync(batch, stopping);
            foreach (var item in batch)
                item.Done.TrySetResult();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (batch.Count == 1)
                batch[0].Done.TrySetException(e);
            return false;
        }
    }

    private async Task InsertAsync(List<(IReadOnlyList<JournalRowValues> Rows, TaskCompletionSource Done)> batch, CancellationToken stopping)
    {
        await using var connection = new DataConnection(_options);
        await using var transaction = await connection.BeginTransactionAsync(stopping);
        foreach (var (rows, _) in batch)
        {
            foreach (var row in rows)
            {
                await connection.ExecuteAsync(InsertSql, stopping,
                    new DataParameter("created", row.Created, DataType.Int64),
                    new DataParameter("deleted", false, DataType.Boolean),
                    new DataParameter("pid", row.PersistenceId, DataType.NVarChar),
                    new DataParameter("seq", row.SequenceNr, DataType.Int64),
                    new DataParameter("message", row.Message, DataType.VarBinary),
                    new DataParameter("manifest", row.Manifest, DataType.NVarChar),
                    new DataParameter("identifier", row.Identifier, DataType.Int32),
                    new DataParameter("writer", row.WriterUuid, DataType.NVarChar));
            }
        }
        await transaction.CommitAsync(stopping);
    }
}
