using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace Gateway.Core.Hosting;

/// <summary>
/// The embedded single-node cluster (DESIGN.md: sharding even on one node, so scaling out is configuration).
/// Several nodes replace the self-join with seed nodes from hocon/cluster.conf.
/// </summary>
public static class GatewayClusterConfig
{
    /// <summary>Settings every node needs whatever its topology: sharding tuned for IKE SAs, our serializer.</summary>
    public const string Common = """
        akka {
          actor {
            provider = cluster
            serializers {
              gateway-session = "Gateway.Core.Serialization.SessionCommandSerializer, Gateway.Core"
              gateway-addresses = "Gateway.Core.Addresses.AddressRegistrySerializer, Gateway.Core"
            }
            serialization-bindings {
              "Gateway.Core.Sessions.SessionCommand, Gateway.Core" = gateway-session
              "Gateway.Core.Sessions.RedirectReply, Gateway.Core" = gateway-session
              "Gateway.Core.Sessions.SessionWakeMessage, Gateway.Core" = gateway-session
              "Gateway.Core.Addresses.AddressRegistryMessage, Gateway.Core" = gateway-addresses
              "Gateway.Core.Addresses.AddressRegistryEvent, Gateway.Core" = gateway-addresses
            }
          }
          cluster {
            sharding {
              # An established IKE SA may be silent for long (DPD is the machine's business): never passivate on idleness.
              passivate-idle-entity-after = off
              # Half-open and unknown-SPI entities stop themselves; established ones are woken from their journals by
              # the SessionWaker singleton instead (remember-entities would write every half-open entity).
              remember-entities = off
            }
          }
          # A leaving node hands every session over (each waits for its journal); give that time before the leave
          # proceeds anyway (the next node would then recover from the journal, as after a crash).
          coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 30s
        }
        """;

    /// <summary>A one-node cluster on <paramref name="hostname"/>:<paramref name="port"/> (0 = any free port); join it with <see cref="JoinSelfAsync"/>.</summary>
    public static Config SingleNode(int port = 0, string hostname = "127.0.0.1") =>
        ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{hostname}}"
              port = {{port.ToString(CultureInfo.InvariantCulture)}}
            }
            """).WithFallback(ConfigurationFactory.ParseString(Common));

    /// <summary>Makes the node a cluster of one and waits until it is Up (sharding allocates shards only then).</summary>
    public static Task JoinSelfAsync(ActorSystem system, CancellationToken cancellationToken = default)
    {
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        return up.Task.WaitAsync(cancellationToken);
    }
}
