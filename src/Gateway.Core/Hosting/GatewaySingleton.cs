using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace Gateway.Core.Hosting;

/// <summary>The cluster singletons of the gateway (address registry, session waker): a manager per node, reached through a proxy.</summary>
public static class GatewaySingleton
{
    /// <summary>Starts the singleton manager of <paramref name="props"/> on this node (on nodes with <paramref name="role"/>; null: every node).</summary>
    public static void StartManager(ActorSystem system, string name, Props props, object terminationMessage, string? role)
    {
        system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
        var settings = ClusterSingletonManagerSettings.Create(system);
        if (role is not null)
            settings = settings.WithRole(role);
        system.ActorOf(ClusterSingletonManager.Props(props, terminationMessage, settings), name);
    }

    /// <summary>A proxy to wherever the singleton <paramref name="name"/> runs; messages sent while it moves are buffered.</summary>
    public static IActorRef Proxy(ActorSystem system, string name, string? role)
    {
        system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
        var settings = ClusterSingletonProxySettings.Create(system);
        if (role is not null)
            settings = settings.WithRole(role);
        return system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}", settings), name + "-proxy");
    }
}
