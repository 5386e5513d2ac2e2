using Akka.Actor.Setup;
using Akka.Configuration;
using Gateway.Configuration;
using Gateway.Core.Hosting;
using Gateway.Core.Persistence;

namespace Gateway.Hosting;

/// <summary>
/// gateway.persistence → the journal's Akka configuration and the state key (GATEWAY_STATE_KEY, else
/// gateway.persistence.state-key-file, else a development key generated once into the data directory). Logs where the
/// key came from and its id, never the key.
/// </summary>
public static class PersistenceBootstrap
{
    /// <param name="SqlitePragmas">SQLite only: sets the synchronous level and cache size on the journal's connections.</param>
    public sealed record Prepared(Config Config, StateKeyRing Keys, SqliteConnectionPragmas? SqlitePragmas = null, string? ConnectionString = null,
        string? ProviderName = null)
    {
        /// <summary>What the ActorSystem needs besides configuration (none for PostgreSQL).</summary>
        public IReadOnlyList<Setup> Setups => SqlitePragmas?.Setups(ConnectionString!, ProviderName!) ?? [];
    }

    public static Prepared? Prepare(GatewaySettings settings, Func<string, string?>? environment = null)
    {
        if (settings.Persistence is not { } p)
            return null;
        environment ??= Environment.GetEnvironmentVariable;
        (StateKey key, string source, bool generated) loaded;
        try
        {
            loaded = StateKeyFile.Load(environment(StateKeyFile.EnvironmentVariable), p.StateKeyFile, settings.DataDirectory);
        }
        catch (StateFormatException e)
        {
            throw new ConfigurationError("gateway.persistence.state-key-file", e.Message);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationError("gateway.persistence.state-key-file", e.Message);
        }
        Log.Info(loaded.generated
            ? $"state key generated (development only; keep it safe, id {loaded.key.Id:x8}): {loaded.source}"
            : $"state key from {loaded.source} (id {loaded.key.Id:x8})");
        Log.Info($"persistence: {p.Provider}{(p.Provider == PersistenceSettings.Sqlite ? " " + p.ConnectionString : "")}");
        var config = GatewayPersistenceConfig.Sql(p.ConnectionString, p.ProviderName);
        if (p.Provider != PersistenceSettings.Sqlite)
            return new Prepared(config, new StateKeyRing(loaded.key));
        SqliteWriteAheadLog.Enable(p.ConnectionString);
        Log.Info($"persistence: SQLite synchronous={p.SqliteSynchronous}, cache {p.SqliteCacheKib} KiB per connection");
        return new Prepared(config, new StateKeyRing(loaded.key), new SqliteConnectionPragmas(p.SqliteSynchronous, p.SqliteCacheKib),
            p.ConnectionString, p.ProviderName);
    }
}
