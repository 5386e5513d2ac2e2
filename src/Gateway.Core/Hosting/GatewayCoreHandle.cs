using Akka.Actor;
using Gateway.Core.Routing;
using Gateway.Core.Transport;

namespace Gateway.Core.Hosting;

/// <summary>What <see cref="GatewayCore.Start"/> gives the host.</summary>
/// <param name="Ingress">Where the sockets hand every received IKE message.</param>
/// <param name="Sessions">List/terminate sessions (admin endpoint).</param>
/// <param name="Region">The sharding region of session entities (for cluster tooling and tests).</param>
/// <param name="HalfOpen">The node's half-open table (its count is a metric).</param>
/// <param name="LocalShards">The shards new SPIs are drawn in (empty: any).</param>
public sealed record GatewayCoreHandle(
    IIkeIngress Ingress, IGatewaySessions Sessions, IActorRef Region, HalfOpenGate HalfOpen, ILocalShards LocalShards);
