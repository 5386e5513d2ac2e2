using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace Gateway.Core.Hosting;

/// <summary>The cluster singletons of the gateway (address registry, session waker): a manager per node, reached through a proxy.</summary>
public static class GatewaySingleton
{
    /// <summary>Messages a proxy keeps while its singleton moves (lease requests and releases, session wakes).</summary>
    public const int MoveBuffer = 10000;

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
        // Akka's 1000 buffered messages can overflow in a move's 10-20 s under a churn of tunnels ending (a release
        // dropped there leaks its address); 10000 is the largest Akka allows.
        var settings = ClusterSingletonProxySettings.Create(system).WithBufferSize(MoveBuffer);
        if (role is not null)
            settings = settings.WithRole(role);
        return system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}", settings), name + "-proxy");
    }
}
