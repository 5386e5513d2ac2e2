using Akka.Actor;
using Gateway.Core.Hosting;
using Gateway.Core.Policy;

namespace Gateway.Core.Addresses;

/// <summary>Runs the <see cref="AddressRegistry"/> as a cluster singleton (it moves to the oldest node when its node leaves).</summary>
public static class AddressRegistrySingleton
{
    /// <summary>
    /// Starts the singleton manager on this node (on nodes with <paramref name="role"/>; null: every node) and returns
    /// a proxy to wherever the singleton runs. Messages sent while it moves are buffered by the proxy (up to
    /// <see cref="GatewaySingleton.MoveBuffer"/>; a release dropped beyond is found by the reconciliation).
    /// <paramref name="reconciliation"/>: with persistence (null: nothing is persisted or reconciled).
    /// </summary>
    public static IActorRef Start(ActorSystem system, string name, AddressPools pools, LeaseReconciliation? reconciliation, string? role)
    {
        var props = AddressRegistry.Props(pools, persistent: reconciliation is not null, reconciliation);
        GatewaySingleton.StartManager(system, name, props, AddressRegistry.Stop.Instance, role);
        return GatewaySingleton.Proxy(system, name, role);
    }
}
