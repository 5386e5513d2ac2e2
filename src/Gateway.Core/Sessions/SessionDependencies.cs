using Akka.Actor;
using Gateway.Core.DataPlane;
using Gateway.Core.Metrics;
using Gateway.Core.Routing;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// Node-local services the session actors use. Built once per node by <see cref="Hosting.GatewayCore"/> and captured
/// by the entity Props, so an entity that moves to another node uses that node's transport and data plane.
/// </summary>
public sealed record SessionDependencies(
    Func<ulong, IIkeSaMachine> MachineFactory,
    IIkeTransport Transport,
    IDataPlane DataPlane,
    IGatewayMetrics Metrics,
    HalfOpenGate Gate,
    TimeProvider Clock,
    TimeSpan HalfOpenLifetime)
{
    /// <summary>
    /// How often an IKE SA actor reads its child SAs' counters and feeds the machine <c>ChildSaTraffic</c> (byte
    /// lifetimes) and <c>PeerActivity</c> (liveness). Also done right before the machine's liveness timer fires.
    /// </summary>
    public TimeSpan CounterPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Identity → established IKE SAs on this node, for INITIAL_CONTACT.</summary>
    public IdentitySessions Identities { get; init; } = new();

    /// <summary>The cluster's address registry (a singleton proxy); Nobody: every lease fails (INTERNAL_ADDRESS_FAILURE).</summary>
    public IActorRef AddressRegistry { get; init; } = ActorRefs.Nobody;

    /// <summary>How long an IKE SA waits for <see cref="AddressRegistry"/>.</summary>
    public TimeSpan AddressLeaseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sharding type name of the sessions, to reach another session (on any node) by its id.</summary>
    public string EntityTypeName { get; init; } = "ike-session";

    /// <summary>Persistence of established IKE SAs (issue 5); null: off (nothing survives the node).</summary>
    public SessionPersistence? Persistence { get; init; }

    /// <summary>The <see cref="SessionWaker"/> singleton (a proxy), told about sessions handed off; Nobody without persistence.</summary>
    public IActorRef SessionWaker { get; init; } = ActorRefs.Nobody;

    /// <summary>The mailbox (configuration path) of the per-tunnel actors; null: Akka's default (see <see cref="LeanMailbox"/>).</summary>
    public string? Mailbox { get; init; }
}
