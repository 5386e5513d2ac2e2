namespace Gateway.Core.Hosting;

/// <summary>
/// What an admin endpoint needs: list and terminate sessions. A session is named by its session id, the top 48 bits
/// of our IKE SPIs (<see cref="Routing.SpiShardMap.SessionOf"/>), which stays the same across IKE SA rekeys.
/// </summary>
public interface IGatewaySessions
{
    /// <summary>Session ids of the session entities this node hosts (other nodes answer for their own).</summary>
    Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout);

    /// <summary>Closes the session's IKE SA on whichever node holds it; the peer is told. Unknown sessions are ignored.</summary>
    void Terminate(ulong sessionId, string reason);
}
