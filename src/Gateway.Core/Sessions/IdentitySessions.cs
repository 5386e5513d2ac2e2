using Akka.Actor;

namespace Gateway.Core.Sessions;

/// <summary>
/// Node-local map: authenticated identity → its sessions with an established IKE SA on this node (session id → IKE SA
/// actor), so an IKE_AUTH with INITIAL_CONTACT can find the identity's older SAs (RFC 7296 §2.4). Keyed by session
/// id, not SPI: an IKE SA rekey changes the SPI but keeps the session (<see cref="Routing.SpiShardMap"/>), and a
/// session holds one IKE SA at a time. Fed by the IKE SA actors: added on IkeSaEstablished, removed when the actor
/// stops. Only authenticated identities enter it, so its size is bounded by the established SAs. Cluster-wide
/// replacement (an identity's SAs on other nodes) comes with issue 5.
/// Thread-safe: many IKE SA actors call it concurrently; the critical sections are a few dictionary operations.
/// </summary>
public sealed class IdentitySessions
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Dictionary<ulong, IActorRef>> _byIdentity = new(StringComparer.Ordinal);

    public void Add(string identity, ulong sessionId, IActorRef ikeSa)
    {
        lock (_lock)
        {
            if (!_byIdentity.TryGetValue(identity, out var sessions))
                _byIdentity[identity] = sessions = [];
            sessions[sessionId] = ikeSa;
        }
    }

    public void Remove(string identity, ulong sessionId)
    {
        lock (_lock)
        {
            if (_byIdentity.TryGetValue(identity, out var sessions) && sessions.Remove(sessionId) && sessions.Count == 0)
                _byIdentity.Remove(identity);
        }
    }

    /// <summary>The identity's sessions (and their IKE SA actors) other than <paramref name="except"/>.</summary>
    public IReadOnlyList<(ulong SessionId, IActorRef IkeSa)> Others(string identity, ulong except)
    {
        lock (_lock)
        {
            if (!_byIdentity.TryGetValue(identity, out var sessions))
                return [];
            var others = new List<(ulong, IActorRef)>(sessions.Count);
            foreach (var (session, actor) in sessions)
                if (session != except)
                    others.Add((session, actor));
            return others;
        }
    }

    /// <summary>Sessions of <paramref name="identity"/> with an established IKE SA on this node.</summary>
    public int CountOf(string identity)
    {
        lock (_lock)
            return _byIdentity.TryGetValue(identity, out var sessions) ? sessions.Count : 0;
    }
}
