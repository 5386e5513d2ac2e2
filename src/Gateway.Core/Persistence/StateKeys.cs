using Akka.Actor;

namespace Gateway.Core.Persistence;

/// <summary>
/// The actor system's keys for state at rest, registered once at start (<see cref="Hosting.GatewayCore.Start"/> or a
/// test) before any persistent session recovers; the journal serializer asks here.
/// </summary>
public sealed class StateKeys : IExtension
{
    private StateKeyRing? _ring;

    public StateKeyRing Ring => _ring ?? throw new InvalidOperationException(
        "no state encryption key is configured: set GATEWAY_STATE_KEY or gateway.persistence.state-key-file");

    public static StateKeys Get(ActorSystem system) => system.WithExtension<StateKeys, StateKeysProvider>();

    public static void Register(ActorSystem system, StateKeyRing ring) => Get(system)._ring = ring;

    public sealed class StateKeysProvider : ExtensionIdProvider<StateKeys>
    {
        public override StateKeys CreateExtension(ExtendedActorSystem system) => new();
    }
}
