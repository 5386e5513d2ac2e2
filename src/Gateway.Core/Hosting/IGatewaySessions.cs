using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>
/// What an admin endpoint needs: list, terminate and redirect sessions. A session is named by its session id, the top 48 bits
/// of our IKE SPIs (<see cref="Routing.SpiShardMap.SessionOf"/>), which stays the same across IKE SA rekeys.
/// </summary>
public interface IGatewaySessions
{
    /// <summary>Session ids of the session entities this node hosts (other nodes answer for their own).</summary>
    Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout);

    /// <summary>
    /// The sessions with an established IKE SA on this node, with identity, outer address and virtual addresses (a
    /// node-local index; other nodes answer for their own). Half-open SAs are not listed.
    /// </summary>
    IReadOnlyList<EstablishedSession> ListEstablished();

    /// <summary>Closes the session's IKE SA on whichever node holds it; the peer is told. Unknown sessions are ignored.</summary>
    void Terminate(ulong sessionId, string reason);

    /// <summary>
    /// Tells the session's established client to move to <paramref name="gateway"/> (RFC 5685 §5: INFORMATIONAL with
    /// N(REDIRECT)), on whichever node holds it. Refused with <see cref="RedirectOutcome.PeerLacksRedirectSupport"/> for
    /// peers that did not send REDIRECT_SUPPORTED, <see cref="RedirectOutcome.UnknownSession"/> for sessions without an
    /// IKE SA. The SA is deleted once the client deletes it or after the redirect timeout.
    /// </summary>
    Task<RedirectOutcome> RedirectAsync(ulong sessionId, GatewayIdentity gateway, TimeSpan timeout);
}
