using System.Data.Common;
using Akka.Actor.Setup;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using LinqToDB.Interceptors;

namespace Gateway.Hosting;

/// <summary>
/// Sets SQLite's <c>synchronous</c> level and page cache size on every connection the journal opens (both are
/// per-connection settings and Microsoft.Data.Sqlite has no connection-string keyword for them): a linq2db connection
/// interceptor handed to Akka.Persistence.Sql through its <see cref="DataOptionsSetup"/>.
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

    /// <summary>Default page cache per connection (gateway.persistence.sqlite-cache-kib).</summary>
    public const int DefaultCacheKib = 256;

    private readonly string _pragma;

    public SqliteConnectionPragmas(string synchronous, int cacheKib = DefaultCacheKib)
    {
        if (synchronous is not (Normal or Full))
            throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "expected normal or full");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheKib);
        // A negative cache_size is in KiB rather than pages.
        _pragma = $"PRAGMA synchronous={synchronous.ToUpperInvariant()}; PRAGMA cache_size=-{cacheKib};";
    }

    /// <summary>The connections this interceptor has set up (tests check the journal really goes through it).</summary>
    public long ConnectionsSetUp => Interlocked.Read(ref _connections);

    private long _connections;

    /// <summary>The ActorSystem setup that makes the journal and snapshot store open their connections through this.</summary>
    public Setup Setup(string connectionString, string providerName) =>
        new DataOptionsSetup(new DataOptions().UseConnectionString(providerName, connectionString).UseInterceptor(this));

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
