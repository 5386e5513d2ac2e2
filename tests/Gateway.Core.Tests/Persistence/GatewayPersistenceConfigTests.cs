using Gateway.Core.Hosting;

namespace Gateway.Core.Tests.Persistence;

/// <summary>
/// The plugin settings that keep the journal's CPU per handshake down (docs/loadtest-profile.md), as the gateway's
/// configuration resolves them over the plugin's own defaults.
/// </summary>
public sealed class GatewayPersistenceConfigTests
{
    private static readonly Akka.Configuration.Config Resolved =
        GatewayPersistenceConfig.Sql(GatewayPersistenceConfig.SqliteConnectionString("x.db"), GatewayPersistenceConfig.SqliteProvider)
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

    [Fact]
    public void The_read_journals_sequence_actor_does_not_poll_the_journal_every_second()
    {
        var delay = Resolved.GetTimeSpan("akka.persistence.query.journal.sql.journal-sequence-retrieval.query-delay");
        var tries = Resolved.GetInt("akka.persistence.query.journal.sql.journal-sequence-retrieval.max-tries");
        Assert.True(delay >= TimeSpan.FromHours(1), $"query-delay {delay}");
        // Its give-up timer is query-delay × max-tries: it must still fit Akka's scheduler (int.MaxValue ms).
        Assert.True(delay * tries < TimeSpan.FromMilliseconds(int.MaxValue), $"query-delay {delay} × {tries}");
    }

    [Theory]
    [InlineData("akka.persistence.journal.sql")]
    [InlineData("akka.persistence.snapshot-store.sql")]
    [InlineData("akka.persistence.query.journal.sql")]
    public void Each_operation_opens_a_plain_connection_instead_of_cloning_one(string plugin)
    {
        Assert.False(Resolved.GetBoolean($"{plugin}.use-clone-connection"));
    }
}
