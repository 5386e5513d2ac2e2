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
    TimeSpan HalfOpenLifetime);
