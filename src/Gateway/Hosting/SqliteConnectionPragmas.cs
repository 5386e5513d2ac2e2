using System.Data.Common;
using Akka.Actor.Setup;
using Akka.Persistence.Sql.Config;
using Gateway.Core.Persistence;
using LinqToDB;
using LinqToDB.Interceptors;

namespace Gateway.Hosting;

/// <summary>
/// Sets SQLite's <c>synchronous</c> level, busy timeout and page cache size on every connection the journal opens
/// (per-connection settings, and Microsoft.Data.Sqlite has no connection-string keyword for them): a linq2db connection
/// interceptor handed to Akka.Persistence.Sql through its <see cref="DataOptionsSetup"/>, and to the journal's own
/// statements through <see cref="JournalConnectionSetup"/>.
/// <para>In WAL mode (<see cref="SqliteWriteAheadLog"/>) <c>NORMAL</c> syncs only at checkpoints, not at each commit.
/// A commit is then in the operating system's page cache when the journal acknowledges it: it survives the gateway
/// process being killed (kill -9, a crash — the failover case the journal exists for) but the last commits can be lost
/// if the whole host loses power or the kernel panics; the database itself stays consistent either way. <c>FULL</c>
/// (SQLite's default) syncs the WAL at every commit and survives power loss too, at the cost of one disk sync on the
/// path of every established tunnel (docs/loadtest-profile.md).</para>
/// <para>The page cache: SQLite's default is 2000 KiB per connection, and the journal's pool keeps several
/// connections, each filling its cache as the file grows — about 1 KB of native memory per idle tunnel at 10k tunnels
/// (docs/loadtest-profile.md). The journal mostly appends; the pages it misses come from the operating system's cache.</para>
/// </summary>
public sealed class SqliteConnectionPragmas : IConnectionInterceptor
{
    public const string Normal = "normal";
    public const string Full = "full";

    /// <summary>
    /// How long a statement waits inside SQLite for another connection's write to finish (its busy handler retries
    /// after 1, 2, 5, 10 ... ms). Without it Microsoft.Data.Sqlite retries a busy statement itself after sleeping 150 ms:
    /// the journal's own connections (the plugin's parallel writers, the session rows and deletes of
    /// GatewaySqlJournal) contend for the one write lock, and each collision added 150 ms to a handshake.
    /// </summary>
    public const int BusyTimeoutMs = 10_000;

    /// <summary>Default page cache per connection (gateway.persistence.sqlite-cache-kib).</summary>
    public const int DefaultCacheKib = 256;

    private readonly string _pragma;

    public SqliteConnectionPragmas(string synchronous, int cacheKib = DefaultCacheKib)
    {
        if (synchronous is not (Normal or Full))
            throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "expected normal or full");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheKib);
        // A negative cache_size is in KiB rather than pages.
        _pragma = $"PRAGMA synchronous={synchronous.ToUpperInvariant()}; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA cache_size=-{cacheKib};";
    }

    /// <summary>The connections this interceptor has set up (tests check the journal really goes through it).</summary>
    public long ConnectionsSetUp => Interlocked.Read(ref _connections);

    private long _connections;

    /// <summary>
    /// The ActorSystem setups that make the journal and snapshot store open their connections through this: the
    /// plugin's, and the one of the journal's own statements (<see cref="JournalConnectionSetup"/>).
    /// </summary>
    public IReadOnlyList<Setup> Setups(string connectionString, string providerName)
    {
        var options = new DataOptions().UseConnectionString(providerName, connectionString).UseInterceptor(this);
        return [new DataOptionsSetup(options), new JournalConnectionSetup(options)];
    }

    public void ConnectionOpening(ConnectionEventData eventData, DbConnection connection)
    {
    }

    public Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
        Interlocked.Increment(ref _connections);
    }

    public async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Interlocked.Increment(ref _connections);
    }
}
