using Gateway.Core.Hosting;
using Gateway.Core.Sessions;

namespace Gateway.Configuration;

/// <summary>gateway.persistence.* (hocon/gateway.conf): where established IKE SAs are persisted and the key that encrypts them.</summary>
/// <param name="SqliteSynchronous">SQLite's synchronous level (<see cref="Hosting.SqliteConnectionPragmas"/>): normal or full.</param>
public sealed record PersistenceSettings(string Provider, string ConnectionString, string ProviderName, string? StateKeyFile, ulong SequenceMargin,
    string SqliteSynchronous = Hosting.SqliteConnectionPragmas.Normal)
{
    /// <summary>gateway.persistence.sqlite-cache-kib: SQLite's page cache per journal connection (<see cref="Hosting.SqliteConnectionPragmas"/>).</summary>
    public int SqliteCacheKib { get; init; } = Hosting.SqliteConnectionPragmas.DefaultCacheKib;

    /// <summary>gateway.persistence.inbound-mark-interval (see <see cref="SessionPersistence.InboundMarkInterval"/>).</summary>
    public TimeSpan InboundMarkInterval { get; init; } = SessionPersistence.DefaultInboundMarkInterval;

    /// <summary>gateway.persistence.lease-reconciliation.* (see <see cref="Gateway.Core.Addresses.LeaseReconciler"/>).</summary>
    public Gateway.Core.Addresses.LeaseReconcilerOptions LeaseReconciliation { get; init; } = Gateway.Core.Addresses.LeaseReconcilerOptions.Default;

    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";
    public const string DefaultSqliteFile = "journal.db";

    /// <summary>Never print the connection string: it may hold a password.</summary>
    public override string ToString() => $"PersistenceSettings({Provider}, state-key-file={StateKeyFile ?? "-"})";
}

internal static class PersistenceSettingsReader
{
    public static PersistenceSettings Read(HoconValues v, string baseDirectory, string dataDirectory)
    {
        string provider = v.String("gateway.persistence.provider").ToLowerInvariant();
        string connection = v.String("gateway.persistence.connection-string");
        string keyFile = v.String("gateway.persistence.state-key-file");
        string? keyPath = keyFile.Length == 0 ? null : Path.GetFullPath(keyFile, baseDirectory);
        int margin = v.Int("gateway.persistence.sequence-margin", 1 << 10, 1 << 30);
        string synchronous = v.String("gateway.persistence.sqlite-synchronous").ToLowerInvariant();
        if (synchronous is not (Hosting.SqliteConnectionPragmas.Normal or Hosting.SqliteConnectionPragmas.Full))
            throw new ConfigurationError("gateway.persistence.sqlite-synchronous", $"'{synchronous}' is not one of normal, full");
        int cacheKib = v.Int("gateway.persistence.sqlite-cache-kib", 16, 1 << 20);
        var inboundMarkInterval = v.Duration("gateway.persistence.inbound-mark-interval", TimeSpan.Zero, TimeSpan.FromHours(1));
        var leaseReconciliation = new Gateway.Core.Addresses.LeaseReconcilerOptions(
            v.Duration("gateway.persistence.lease-reconciliation.interval", TimeSpan.FromSeconds(10), TimeSpan.FromDays(1)),
            // At least a minute: far above a grant's way to the session's first journal write (see gateway.conf).
            v.Duration("gateway.persistence.lease-reconciliation.grace", TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)),
            v.Int("gateway.persistence.lease-reconciliation.batch", 1, 100_000));
        switch (provider)
        {
            case PersistenceSettings.Sqlite:
                if (connection.Length == 0)
                    connection = GatewayPersistenceConfig.SqliteConnectionString(Path.Combine(dataDirectory, PersistenceSettings.DefaultSqliteFile));
                return new PersistenceSettings(provider, connection, GatewayPersistenceConfig.SqliteProvider, keyPath, (ulong)margin, synchronous)
                {
                    SqliteCacheKib = cacheKib,
                    InboundMarkInterval = inboundMarkInterval,
                    LeaseReconciliation = leaseReconciliation,
                };
            case PersistenceSettings.PostgreSql:
                if (connection.Length == 0)
                    throw new ConfigurationError("gateway.persistence.connection-string", "postgresql needs a connection string (Host=...;Database=...;Username=...)");
                return new PersistenceSettings(provider, connection, GatewayPersistenceConfig.PostgreSqlProvider, keyPath, (ulong)margin, synchronous)
                {
                    InboundMarkInterval = inboundMarkInterval,
                    LeaseReconciliation = leaseReconciliation,
                };
            default:
                throw new ConfigurationError("gateway.persistence.provider", $"'{provider}' is not one of {PersistenceSettings.Sqlite}, {PersistenceSettings.PostgreSql}");
        }
    }
}
