using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Core.Addresses;
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
        var persistence = SessionPersistenceOf(system, policy, services, options, map);
        // Virtual addresses: one registry for the cluster (persisted with the sessions), asked by the IKE SA actors.
        var reconciliation = persistence is null
            ? null
            : new LeaseReconciliation(options.LeaseReconciliation, options.ReadJournalPluginId,
                () => ClusterSharding.Get(system).ShardRegion(options.EntityTypeName), options.Metrics, options.Clock);
        var addresses = AddressRegistrySingleton.Start(system, $"{options.EntityTypeName}-addresses", policy.Pools, reconciliation, options.Role);
        string wakerName = $"{options.EntityTypeName}-waker";
        var waker = persistence is null ? ActorRefs.Nobody : GatewaySingleton.Proxy(system, wakerName, options.Role);
        var deps = new SessionDependencies(
            machineFactory ?? ResponderMachine.Factory(policy, services, ResponderOptionsOf(options), map),
            transport, dataPlane, options.Metrics, gate, options.Clock, options.HalfOpenLifetime)
        {
            CounterPollInterval = options.CounterPollInterval,
            Persistence = persistence,
            SessionWaker = waker,
            AddressRegistry = addresses,
            AddressLeaseTimeout = options.AddressLeaseTimeout,
            EntityTypeName = options.EntityTypeName,
            Mailbox = LeanMailbox.Register(system),
        };

        var sharding = ClusterSharding.Get(system); // before its settings: it brings their defaults
        // No remember-entities: it would write every started entity (each half-open IKE_SA_INIT) and make it wait for
        // the write; the session waker brings the established ones back from their journals instead.
        var settings = ClusterShardingSettings.Create(system).WithRememberEntities(false);
        if (options.Role is not null)
            settings = settings.WithRole(options.Role);
        var sessionProps = SessionActor.Props(deps);
        var region = sharding.Start(
            options.EntityTypeName,
            _ => sessionProps,
            settings,
            new SessionMessageExtractor(map),
            sharding.DefaultShardAllocationStrategy(settings),
            SessionActor.HandOff.Instance); // stops a session only once its journal has stored its last state
        if (persistence is not null)
            GatewaySingleton.StartManager(system, wakerName, SessionWaker.Props(region, options.ReadJournalPluginId), SessionWaker.Stop.Instance, options.Role);
        if (options.LocalShardRefresh is { } refresh)
            localShards.Observe(system, region, $"{options.EntityTypeName}-local-shards", refresh);

        return new GatewayCoreHandle(
            new IkeIngress(region, gate, options.Metrics, SaInitGuard(options, gate, transport)),
            new ShardedGatewaySessions(region, deps.Identities), region, gate, localShards);
    }

    /// <summary>Persistence (issue 5) when configured: the state keys registered for the journal serializer, the restorer.</summary>
    private static SessionPersistence? SessionPersistenceOf(ActorSystem system, GatewayPolicy policy, IResponderServices services,
        GatewayCoreOptions options, SpiShardMap map)
    {
        if (options.StateKeys is not { } keys)
            return null;
        Persistence.StateKeys.Register(system, keys);
        return new SessionPersistence(ResponderMachine.Restorer(policy, services, ResponderOptionsOf(options), map), options.SequenceMargin)
        {
            InboundMarkInterval = options.InboundMarkInterval,
        };
    }

    /// <summary>
    /// The real machine's options: one half-open lifetime for the gate's expiry, the actor's bound and the machine's
    /// own timer; the redirect timeout is a node setting too; addresses come from the cluster's registry.
    /// </summary>
    private static IkeSa.ResponderOptions ResponderOptionsOf(GatewayCoreOptions options) =>
        options.Responder with
        {
            HalfOpenTimeout = options.HalfOpenLifetime,
            RedirectTimeout = options.RedirectTimeout,
            ExternalAddressLeases = true,
        };

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
