using System.Net;
using Akka.Actor;
using Gateway.Core.Hosting;

namespace Gateway.Core.Sessions;

/// <summary>
/// Node-local index of the sessions with an established IKE SA on this node: identity → session id → (IKE SA actor,
/// what an operator sees of it). An IKE_AUTH with INITIAL_CONTACT finds the identity's older SAs here (RFC 7296 §2.4),
/// and the operator's control channel lists sessions and finds them by identity. Keyed by session id, not SPI: an IKE
/// SA rekey changes the SPI but keeps the session (<see cref="Routing.SpiShardMap"/>), and a session holds one IKE SA
/// at a time. Fed by the IKE SA actors: added on IkeSaEstablished (also of a restored SA), moved on PeerAddressChanged,
/// removed when the actor stops. Only authenticated identities enter it, so its size is bounded by the established SAs.
/// Cluster-wide lookups (an identity's SAs on other nodes) would need a replicated registry (issue 5).
/// Thread-safe: many IKE SA actors call it concurrently; the critical sections are a few dictionary operations.
/// </summary>
public sealed class IdentitySessions
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Dictionary<ulong, (IActorRef IkeSa, EstablishedSession Info)>> _byIdentity =
        new(StringComparer.Ordinal);

    public void Add(EstablishedSession session, IActorRef ikeSa)
    {
        lock (_lock)
        {
            if (!_byIdentity.TryGetValue(session.Identity, out var sessions))
                _byIdentity[session.Identity] = sessions = [];
            sessions[session.SessionId] = (ikeSa, session);
        }
    }

    /// <summary>The session's peer moved (MOBIKE): the listing shows its new outer address.</summary>
    public void Moved(string identity, ulong sessionId, IPEndPoint remote)
    {
        lock (_lock)
        {
            if (_byIdentity.TryGetValue(identity, out var sessions) && sessions.TryGetValue(sessionId, out var entry))
                sessions[sessionId] = (entry.IkeSa, entry.Info with { Remote = remote });
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
            foreach (var (session, entry) in sessions)
                if (session != except)
                    others.Add((session, entry.IkeSa));
            return others;
        }
    }

    /// <summary>Sessions of <paramref name="identity"/> with an established IKE SA on this node.</summary>
    public int CountOf(string identity)
    {
        lock (_lock)
            return _byIdentity.TryGetValue(identity, out var sessions) ? sessions.Count : 0;
    }

    /// <summary>Every established session on this node, ordered by identity, then by when it was established.</summary>
    public IReadOnlyList<EstablishedSession> All()
    {
        lock (_lock)
            return _byIdentity.Values.SelectMany(s => s.Values.Select(e => e.Info))
                .OrderBy(s => s.Identity, StringComparer.Ordinal).ThenBy(s => s.EstablishedUtc).ToList();
    }
}
