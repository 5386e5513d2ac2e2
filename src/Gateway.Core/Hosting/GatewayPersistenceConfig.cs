using Akka.Configuration;

namespace Gateway.Core.Hosting;

/// <summary>
/// Persistence of established IKE SAs (issue 5) as Akka configuration: the Akka.Persistence.Sql journal and snapshot
/// store (SQLite file by default, PostgreSQL for several hosts), its query side (the session waker lists the live
/// sessions through it), and the encrypting serializer for session events. Sessions come back after a restart or
/// failover through <see cref="Sessions.SessionWaker"/>, not sharding's remember-entities. Put in front of <see cref="GatewayClusterConfig"/>; the plugin's own
/// defaults (Akka.Persistence.Sql's reference config) go behind it.
/// </summary>
public static class GatewayPersistenceConfig
{
    /// <summary>LinqToDB provider names Akka.Persistence.Sql accepts for our two databases.</summary>
    public const string SqliteProvider = "SQLite.MS";
    public const string PostgreSqlProvider = "PostgreSQL.15";

    /// <summary>The SQL plugin's query side, over the same tables (the session waker lists live sessions through it).</summary>
    public const string ReadJournalPluginId = "akka.persistence.query.journal.sql";

    public static string SqliteConnectionString(string file) => $"Data Source={file}";

    /// <summary>
    /// Every read journal of the plugin starts a sequence actor that polls the journal's ordering column and tracks its
    /// gaps, for by-tag and all-events queries. We list persistence ids only, and our journal has a gap for every ended
    /// SA (its history is deleted), so the actor would chase those gaps each second: 10–40 % of the gateway's CPU under
    /// handshake load (docs/loadtest-profile.md). It still runs once at start; after that, once a day.
    /// </summary>
    internal const string SequenceActorQueryDelay = "1d";

    // use-clone-connection = off (below): with the plugin's default (on) every journal operation cloned a template
    // linq2db connection, and each clone built a new combined mapping schema (metadata readers, attribute caches) —
    // about 2 % of the gateway's CPU under handshake load. Off opens a plain connection from the same options (the
    // SQLite pool reuses the physical one), the path the plugin documents as the safe one.

    /// <summary>The plugin's journal with a one-statement delete of a session's events (<see cref="Persistence.GatewaySqlJournal"/>).</summary>
    internal static readonly string JournalClass = $"{typeof(Persistence.GatewaySqlJournal).FullName}, {typeof(Persistence.GatewaySqlJournal).Assembly.GetName().Name}";

    public static Config Sql(string connectionString, string providerName) =>
        ConfigurationFactory.ParseString($$"""
            akka {
              actor {
                serializers.gateway-state = "Gateway.Core.Persistence.SessionStateSerializer, Gateway.Core"
                serialization-bindings {
                  "Gateway.Core.Persistence.SessionEvent, Gateway.Core" = gateway-state
                }
              }
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    class = "{{JournalClass}}"
                    connection-string = {{Quote(connectionString)}}
                    provider-name = {{Quote(providerName)}}
                    auto-initialize = on
                    use-clone-connection = off
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    connection-string = {{Quote(connectionString)}}
                    provider-name = {{Quote(providerName)}}
                    auto-initialize = on
                    use-clone-connection = off
                  }
                }
              }
              persistence.query.journal.sql {
                connection-string = {{Quote(connectionString)}}
                provider-name = {{Quote(providerName)}}
                use-clone-connection = off
                journal-sequence-retrieval.query-delay = {{SequenceActorQueryDelay}}
              }
            }
            """);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
