using Akka.Actor;
using Gateway.Core.Addresses;
using Gateway.Core.Hosting;
using Gateway.Core.Tests.MultiNode;
using Npgsql;

namespace Gateway.Core.Tests.Persistence;

/// <summary>
/// The journal on PostgreSQL, the choice for several hosts: two nodes share one database; the second leaves and its
/// sessions carry on on the first with the same keys and addresses. Runs when GATEWAY_TEST_POSTGRES holds a connection
/// string with the right to create databases (CI: .ci/run starts Debian's PostgreSQL with ops/postgres.sh and sets it);
/// each run works in a database of its own and drops it. Set but unreachable, the test fails — it never skips there.
/// </summary>
public sealed class PostgreSqlJournalTests
{
    public const string Variable = "GATEWAY_TEST_POSTGRES";

    [Fact]
    public async Task Two_nodes_hand_sessions_over_on_a_PostgreSQL_journal()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } admin)
            return; // no PostgreSQL named (a developer machine): the SQLite multi-node tests cover the same paths

        string database = $"gateway_test_{Guid.NewGuid():N}";
        await Execute(admin, $"CREATE DATABASE {database}");
        try
        {
            string connection = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
            using (var cluster = new ClusterNodes(GatewayPersistenceConfig.Sql(connection, GatewayPersistenceConfig.PostgreSqlProvider)))
            {
                var (clients, leaving) = cluster.StartWithClientsOnEachNode(2);
                var before = cluster.Installed();

                await CoordinatedShutdown.Get(leaving.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(ClusterNodes.Patience);
                await leaving.System.WhenTerminated.WaitAsync(ClusterNodes.Patience);
                cluster.AssertTunnelsContinueWithout(clients, leaving, before);
                clients.ForEach(c => c.Dispose());

                // The state really is in PostgreSQL: the sessions' and the address registry's journals.
                Assert.True(await Count(connection, "SELECT count(*) FROM journal WHERE persistence_id LIKE 'ike-session-%'") > 0);
                Assert.True(await Count(connection, $"SELECT count(*) FROM journal WHERE persistence_id = '{AddressRegistry.PersistenceIdValue}'") > 0);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> Count(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
