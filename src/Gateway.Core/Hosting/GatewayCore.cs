using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Gateway.Core.Hosting;

/// <summary>Starts the IKE core on a running (cluster) ActorSystem: the session sharding region and the ingress.</summary>
public static class GatewayCore
{
    /// <summary>
    /// Starts the session region on <paramref name="system"/> (which must use the cluster provider, see
    /// <see cref="GatewayClusterConfig"/>). <paramref name="machineFactory"/> makes the IKE SA machine for a new
    /// responder SPI; null means the real responder. Call once per node.
    /// </summary>
    public static GatewayCoreHandle Start(
        ActorSystem system,
        GatewayPolicy policy,
        IIkeTransport transport,
        IDataPlane dataPlane,
        IResponderServices services,
        Func<ulong, IIkeSaMachine>? machineFactory,
        GatewayCoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(dataPlane);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);

        var map = new SpiShardMap(options.ShardCount);
        var localShards = new ObservedLocalShards();
        var gate = new HalfOpenGate(
            options.HalfOpenLimit, options.HalfOpenLifetime, options.Clock,
            new RandomResponderSpiSource(map, localShards), options.Metrics);
        // One half-open lifetime for the gate's expiry, the actor's bound and the machine's own timer; the redirect
        // timeout is a node setting too (GatewayCoreOptions), so both override what Responder says.
        var deps = new SessionDependencies(
            machineFactory ?? ResponderMachine.Factory(policy, services,
                options.Responder with { HalfOpenTimeout = options.HalfOpenLifetime, RedirectTimeout = options.RedirectTimeout }),
            transport, dataPlane, options.Metrics, gate, options.Clock, options.HalfOpenLifetime)
        {
            CounterPollInterval = options.CounterPollInterval,
            Persistence = SessionPersistenceOf(system, policy, services, options),
            Mailbox = LeanMailbox.Register(system),
        };

        var region = ClusterSharding.Get(system).Start(
            options.EntityTypeName,
            entityId => SessionActor.Props(SpiShardMap.TryParseEntityId(entityId, out var session) ? session : 0, deps),
            ClusterShardingSettings.Create(system).WithRememberEntities(deps.Persistence is not null),
            new SessionMessageExtractor(map));
        if (options.LocalShardRefresh is { } refresh)
            localShards.Observe(system, region, $"{options.EntityTypeName}-local-shards", refresh);

        return new GatewayCoreHandle(
            new IkeIngress(region, gate, options.Metrics, SaInitGuard(options, gate, transport)),
            new ShardedGatewaySessions(region), region, gate, localShards);
    }

    /// <summary>Persistence (issue 5) when configured: the state keys registered for the journal serializer, the restorer.</summary>
    private static SessionPersistence? SessionPersistenceOf(ActorSystem system, GatewayPolicy policy, IResponderServices services, GatewayCoreOptions options)
    {
        if (options.StateKeys is not { } keys)
            return null;
        Persistence.StateKeys.Register(system, keys);
        var responder = options.Responder with { HalfOpenTimeout = options.HalfOpenLifetime, RedirectTimeout = options.RedirectTimeout };
        return new SessionPersistence(ResponderMachine.Restorer(policy, services, responder), options.SequenceMargin);
    }

    private static SaInitGuard SaInitGuard(GatewayCoreOptions options, HalfOpenGate gate, IIkeTransport transport)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.CookieThreshold);
        var limiter = options.SourceRatePerSecond is { } rate
            ? new SourceRateLimiter(options.SourceRateTableSize, rate, options.SourceRateBurst, options.Clock)
            : null;
        var cookies = new StatelessCookies(new CookieSecrets(options.Clock, options.CookieSecretRotation, options.CookieSecretGrace));
        return new SaInitGuard(gate, options.CookieThreshold, limiter, cookies, options.RedirectPolicy, transport, options.Metrics);
    }
}
