using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;
using Gateway.Ike;
using Gateway.Core.Sessions;

namespace Gateway.Core.Hosting;

/// <summary><see cref="IGatewaySessions"/> over the sharding region and the node's index of established sessions.</summary>
internal sealed class ShardedGatewaySessions(IActorRef region, IdentitySessions established) : IGatewaySessions
{
    public IReadOnlyList<EstablishedSession> ListEstablished() => established.All();

    public async Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        var sessions = new List<ulong>();
        foreach (var shard in state.Shards)
            foreach (var entityId in shard.EntityIds)
                if (SpiShardMap.TryParseEntityId(entityId, out var session))
                    sessions.Add(session);
        return sessions;
    }

    // Any SPI with the session's bits reaches its entity; the generation bits do not matter for a close.
    public void Terminate(ulong sessionId, string reason) => region.Tell(new CloseIkeSa(SpiShardMap.SpiOf(sessionId, 0), reason));

    // Like Terminate: the session bits pick the entity; its IKE SA (whatever its current SPI) is redirected.
    public async Task<RedirectOutcome> RedirectAsync(ulong sessionId, GatewayIdentity gateway, TimeSpan timeout)
    {
        var reply = await region.Ask<RedirectReply>(new RedirectIkeSa(SpiShardMap.SpiOf(sessionId, 0), gateway), timeout).ConfigureAwait(false);
        return reply.Outcome;
    }
}
