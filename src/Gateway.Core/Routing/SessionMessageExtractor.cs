using Akka.Cluster.Sharding;
using Gateway.Core.Sessions;

namespace Gateway.Core.Routing;

/// <summary>Maps <see cref="SessionCommand"/>s to entity and shard ids computed from the responder SPI alone.</summary>
public sealed class SessionMessageExtractor(SpiShardMap map) : IMessageExtractor
{
    public string? EntityId(object message) => message switch
    {
        SessionCommand c => SpiShardMap.EntityId(c.ResponderSpi),
        _ => null,
    };

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => message switch
    {
        SessionCommand c => map.ShardId(c.ResponderSpi),
        _ => null,
    };

    // Used by Akka for messages it handles itself (StartEntity under remember-entities): entity id → SPI → shard.
    public string ShardId(string entityId, object? messageHint = null) =>
        SpiShardMap.TryParseEntityId(entityId, out var spi) ? map.ShardId(spi) : "invalid";
}
