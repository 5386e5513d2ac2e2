using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;

namespace Gateway.Core.Hosting;

/// <summary><see cref="IGatewaySessions"/> over the sharding region.</summary>
internal sealed class ShardedGatewaySessions(IActorRef region) : IGatewaySessions
{
    public async Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        var spis = new List<ulong>();
        foreach (var shard in state.Shards)
            foreach (var entityId in shard.EntityIds)
                if (SpiShardMap.TryParseEntityId(entityId, out var spi))
                    spis.Add(spi);
        return spis;
    }

    public void Terminate(ulong responderSpi, string reason) => region.Tell(new CloseIkeSa(responderSpi, reason));
}
