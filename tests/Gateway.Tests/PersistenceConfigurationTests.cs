using Akka.Actor;
using Gateway.Configuration;
using Gateway.Core.Hosting;
using Gateway.Core.Persistence;
using Gateway.Hosting;

namespace Gateway.Tests;

/// <summary>gateway.persistence.* → the journal configuration and the state key (hocon/gateway.conf documents each key).</summary>
public class PersistenceConfigurationTests
{
    private static GatewaySettings Read(string? userConfig, TempDirectory dir)
    {
        string? file = userConfig is null ? null : dir.Write("user.conf", userConfig);
        return SettingsReader.Read(HoconLoader.Load(file), dir.Path, Path.Combine(dir.Path, "data"));
    }

    [Fact]
    public void Default_is_an_SQLite_file_in_the_data_directory()
    {
        using var dir = new TempDirectory();
        var p = Read(null, dir).Persistence!;
        Assert.Equal(PersistenceSettings.Sqlite, p.Provider);
        Assert.Equal(GatewayPersistenceConfig.SqliteProvider, p.ProviderName);
        Assert.Equal($"Data Source={Path.Combine(dir.Path, "data", "journal.db")}", p.ConnectionString);
        Assert.Null(p.StateKeyFile);
        Assert.Equal(1ul << 22, p.SequenceMargin);
        Assert.Equal(TimeSpan.FromMinutes(5), p.InboundMarkInterval);
        Assert.Equal(Gateway.Core.Addresses.LeaseReconcilerOptions.Default, p.LeaseReconciliation);
    }

    [Fact]
    public void The_inbound_mark_interval_is_read()
    {
        using var dir = new TempDirectory();
        Assert.Equal(TimeSpan.FromSeconds(30), Read("gateway.persistence.inbound-mark-interval = 30s", dir).Persistence!.InboundMarkInterval);
    }

    [Fact]
    public void The_lease_reconciliation_is_read()
    {
        using var dir = new TempDirectory();
        var read = Read("gateway.persistence.lease-reconciliation { interval = 1m, grace = 3m, batch = 50 }", dir).Persistence!.LeaseReconciliation;
        Assert.Equal(new Gateway.Core.Addresses.LeaseReconcilerOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3), 50), read);
    }

    [Theory]
    [InlineData("gateway.persistence.lease-reconciliation.interval = 1s", "gateway.persistence.lease-reconciliation.interval")]
    [InlineData("gateway.persistence.lease-reconciliation.grace = 5s", "gateway.persistence.lease-reconciliation.grace")]
    [InlineData("gateway.persistence.lease-reconciliation.batch = 0", "gateway.persistence.lease-reconciliation.batch")]
    [InlineData("gateway.persistence.provider = mysql", "gateway.persistence.provider")]
    [InlineData("gateway.persistence.provider = postgresql", "gateway.persistence.connection-string")]
    [InlineData("gateway.persistence.sequence-margin = 5", "gateway.persistence.sequence-margin")]
    [InlineData("gateway.persistence.inbound-mark-interval = 2h", "gateway.persistence.inbound-mark-interval")]
    public void A_bad_value_is_one_line_naming_the_key(string config, string key)
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ConfigurationError>(() => Read(config, dir));
        Assert.Equal(key, e.Key);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void PostgreSQL_takes_the_connection_string_and_a_relative_key_file_resolves_against_the_config()
    {
        using var dir = new TempDirectory();
        var s = Read("""gateway.persistence { provider = postgresql, connection-string = "Host=db;Database=gw", state-key-file = "keys/state.key" }""", dir);
        Assert.Equal(GatewayPersistenceConfig.PostgreSqlProvider, s.Persistence!.ProviderName);
        Assert.Equal("Host=db;Database=gw", s.Persistence.ConnectionString);
        Assert.Equal(Path.Combine(dir.Path, "keys", "state.key"), s.Persistence.StateKeyFile);
    }

    [Fact]
    public void The_state_key_comes_from_the_environment_else_the_file_else_is_generated_and_a_bad_key_names_the_key()
    {
        using var dir = new TempDirectory();
        var settings = Read(null, dir);
        var generated = PersistenceBootstrap.Prepare(settings, _ => null)!;
        Assert.True(File.Exists(Path.Combine(dir.Path, "data", "state.key")));
        Assert.Equal(generated.Keys.Current.Id, PersistenceBootstrap.Prepare(settings, _ => null)!.Keys.Current.Id);
        var fromEnvironment = PersistenceBootstrap.Prepare(settings, name => name == StateKeyFile.EnvironmentVariable ? new string('a', 64) : null)!;
        Assert.NotEqual(generated.Keys.Current.Id, fromEnvironment.Keys.Current.Id);

        dir.Write("bad.key", "too short");
        var bad = Read($"gateway.persistence.state-key-file = \"bad.key\"", dir);
        var e = Assert.Throws<ConfigurationError>(() => PersistenceBootstrap.Prepare(bad, _ => null));
        Assert.Equal("gateway.persistence.state-key-file", e.Key);
        Assert.Equal(GatewayPersistenceConfig.SqliteProvider, generated.Config.GetString("akka.persistence.journal.sql.provider-name"));
    }

    [Fact]
    public void The_sqlite_journal_file_is_put_in_write_ahead_log_mode()
    {
        using var dir = new TempDirectory();
        var settings = Read(null, dir);
        PersistenceBootstrap.Prepare(settings, _ => null);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(settings.Persistence!.ConnectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Theory]
    [InlineData(null, "normal", 1L)]
    [InlineData("gateway.persistence.sqlite-synchronous = full", "full", 2L)]
    public void SQLite_synchronous_defaults_to_normal_and_the_interceptor_sets_it_on_a_connection(string? config, string level, long pragma)
    {
        using var dir = new TempDirectory();
        var p = Read(config, dir).Persistence!;
        Assert.Equal(level, p.SqliteSynchronous);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(p.ConnectionString + ";Pooling=False");
        Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
        connection.Open();
        new SqliteConnectionPragmas(level, p.SqliteCacheKib).ConnectionOpened(default, connection);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(pragma, (long)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA busy_timeout;";
        Assert.Equal((long)SqliteConnectionPragmas.BusyTimeoutMs, (long)command.ExecuteScalar()!);
        Assert.Equal(256, p.SqliteCacheKib);
        command.CommandText = "PRAGMA cache_size;";
        Assert.Equal(-256L, (long)command.ExecuteScalar()!);
    }

    [Fact]
    public void A_bad_sqlite_synchronous_level_names_the_key()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ConfigurationError>(() => Read("gateway.persistence.sqlite-synchronous = off", dir));
        Assert.Equal("gateway.persistence.sqlite-synchronous", e.Key);
    }

    [Fact]
    public async Task The_journal_opens_its_connections_through_the_synchronous_interceptor()
    {
        using var dir = new TempDirectory();
        var prepared = PersistenceBootstrap.Prepare(Read(null, dir), _ => null)!;
        var config = Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local")
            .WithFallback(prepared.Config).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        var setup = prepared.Setups.Aggregate(Akka.Actor.Setup.ActorSystemSetup.Create(Akka.Actor.BootstrapSetup.Create().WithConfig(config)), (s, x) => s.And(x));
        using var system = Akka.Actor.ActorSystem.Create("sync", setup);
        var writer = system.ActorOf(Akka.Actor.Props.Create(() => new OneEventWriter()));
        Assert.Equal("stored", await writer.Ask<string>("write", TimeSpan.FromSeconds(30)));
        Assert.True(prepared.SqlitePragmas!.ConnectionsSetUp > 0);
        await system.Terminate();
    }

    private sealed class OneEventWriter : Akka.Persistence.ReceivePersistentActor
    {
        public override string PersistenceId => "sync-test";

        public OneEventWriter()
        {
            Recover<string>(_ => { });
            Command<string>(_ =>
            {
                var sender = Sender;
                Persist("event", _ => sender.Tell("stored"));
            });
        }
    }
}
