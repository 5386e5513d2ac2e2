using System.Globalization;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Gateway.Configuration;
using Gateway.Core.Hosting;

namespace Gateway.Hosting;

/// <summary>
/// Starts the node's ActorSystem as a cluster member (hocon/cluster.conf): with no seed nodes it joins itself, a
/// single-node cluster, so sharding runs exactly as it will on N nodes.
/// </summary>
public static class ClusterBootstrap
{
    public const string SystemName = "gateway";

    private static string Millis(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <param name="persistence">The journal configuration (gateway.persistence), or null for none.</param>
    /// <param name="overrides">The configuration file's akka { } section, which wins over everything here.</param>
    /// <param name="setups">Setups the persistence plugin takes besides configuration (<see cref="PersistenceBootstrap.Prepared.Setups"/>).</param>
    public static async Task<ActorSystem> StartAsync(Gateway.Configuration.ClusterSettings settings, TimeSpan timeout, Config? persistence = null,
        Config? overrides = null, IReadOnlyList<Akka.Actor.Setup.Setup>? setups = null)
    {
        string seeds = string.Join(", ", settings.SeedNodes.Select(s => "\"" + s + "\""));
        string roles = string.Join(", ", settings.Roles.Select(r => "\"" + r + "\""));
        string margin = settings.DownRemovalMargin is { } m ? Millis(m) : "off"; // off: the resolver uses stable-after
        Config config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = {{settings.LogLevel}}
            akka.stdout-loglevel = {{settings.LogLevel}}
            akka.cluster.seed-nodes = [{{seeds}}]
            akka.cluster.roles = [{{roles}}]
            akka.cluster.split-brain-resolver.active-strategy = {{settings.SplitBrainStrategy}}
            akka.cluster.split-brain-resolver.stable-after = {{Millis(settings.StableAfter)}}
            akka.cluster.down-removal-margin = {{margin}}
            # The host stops the system itself on SIGTERM (after the sockets), not the CLR exit hook.
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """).WithFallback(persistence ?? Config.Empty).WithFallback(GatewayClusterConfig.SingleNode(settings.Port, settings.Hostname));
        if (persistence is not null)
            config = config.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        if (overrides is not null)
            config = overrides.WithFallback(config);
        // Steering's ESP ownership messages between nodes (harmless when unused).
        config = config.WithFallback(ConfigurationFactory.ParseString(Gateway.DataPlane.Steering.EspOwnerAnnouncementSerializer.Config));

        ActorSystemSetup systemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        foreach (var setup in setups ?? [])
            systemSetup = systemSetup.And(setup);
        var system = ActorSystem.Create(SystemName, systemSetup);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            if (settings.SeedNodes.Count == 0)
            {
                await GatewayClusterConfig.JoinSelfAsync(system, cts.Token);
            }
            else
            {
                var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
                await up.Task.WaitAsync(cts.Token);
            }
            return system;
        }
        catch (OperationCanceledException)
        {
            await system.Terminate();
            throw new TimeoutException(string.Format(CultureInfo.InvariantCulture,
                "the cluster node did not come up within {0} s (seed nodes reachable? gateway.cluster.*)", timeout.TotalSeconds));
        }
    }
}
