using Akka.Cluster.Sharding;
using Gateway.Core.Sessions;

namespace Gateway.Core.Routing;

/// <summary>
/// Maps <see cref="SessionCommand"/>s to entity and shard ids computed from the session bits of our IKE SPI alone
/// (<see cref="SpiShardMap"/>), so all SPIs of a rekeyed IKE SA reach one entity.
/// </summary>
public sealed class SessionMessageExtractor(SpiShardMap map) : IMessageExtractor
{
    public string? EntityId(object message) => message switch
    {
        SessionCommand c => SpiShardMap.EntityId(c.LocalSpi),
        _ => null,
    };

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => message switch
    {
        SessionCommand c => map.ShardId(c.LocalSpi),
        _ => null,
    };

    // Used by Akka for messages it handles itself (StartEntity under remember-entities): entity id → session → shard.
    public string ShardId(string entityId, object? messageHint = null) =>
        SpiShardMap.TryParseEntityId(entityId, out var session) ? map.ShardIdOfSession(session) : "invalid";
}
