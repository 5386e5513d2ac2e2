using Akka.Configuration;

namespace Gateway.Core.Hosting;

/// <summary>
/// Persistence of established IKE SAs (issue 5) as Akka configuration: the Akka.Persistence.Sql journal and snapshot
/// store (SQLite file by default, PostgreSQL for several hosts), the encrypting serializer for session events, and
/// remember-entities with its store in the same journal ("eventsourced": works with any Akka.Persistence journal and
/// needs no extra durable ddata storage). Put in front of <see cref="GatewayClusterConfig"/>; the plugin's own
/// defaults (Akka.Persistence.Sql's reference config) go behind it.
/// </summary>
public static class GatewayPersistenceConfig
{
    /// <summary>LinqToDB provider names Akka.Persistence.Sql accepts for our two databases.</summary>
    public const string SqliteProvider = "SQLite.MS";
    public const string PostgreSqlProvider = "PostgreSQL.15";

    public static string SqliteConnectionString(string file) => $"Data Source={file}";

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
                    connection-string = {{Quote(connectionString)}}
                    provider-name = {{Quote(providerName)}}
                    auto-initialize = on
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    connection-string = {{Quote(connectionString)}}
                    provider-name = {{Quote(providerName)}}
                    auto-initialize = on
                  }
                }
              }
              cluster.sharding {
                # Sessions with an established IKE SA come back (and run their timers) after a node restart or failover.
                remember-entities = on
                remember-entities-store = eventsourced
                # A burst of tunnels coming up or ending queues many remember-entities writes behind the journal; with
                # Akka's 5 s a slow disk made shards give up and restart, stopping every session in them (measured in
                # a handshake burst, docs/loadtest.md), which only added recovery work.
                updating-state-timeout = 30s
                waiting-for-state-timeout = 30s
              }
            }
            """);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
