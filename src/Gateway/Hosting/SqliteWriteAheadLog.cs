using Microsoft.Data.Sqlite;

namespace Gateway.Hosting;

/// <summary>
/// Puts the SQLite journal file in write-ahead-log mode before the journal opens it. In SQLite's default rollback
/// mode every commit syncs the rollback journal and the database file (several fsyncs); with WAL a commit appends to
/// one file and syncs it once, and readers (recovery) do not block the writer. Measured under a handshake burst
/// (docs/loadtest.md): fsync was 12 % of the gateway's CPU and its latency timed out remember-entities writes on a
/// busy disk. The mode is a property of the file, so setting it once here holds for every later connection.
/// </summary>
public static class SqliteWriteAheadLog
{
    public static void Enable(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory)
            Directory.CreateDirectory(directory);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            Log.Warn($"persistence: SQLite stayed in journal mode '{mode}' (WAL refused); commits sync more often");
    }
}
