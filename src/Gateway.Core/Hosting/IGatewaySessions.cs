using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>What an admin endpoint needs: list and terminate IKE SAs (sessions are named by our responder SPI).</summary>
public interface IGatewaySessions
{
    /// <summary>Responder SPIs of the session entities this node hosts (other nodes answer for their own).</summary>
    Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout);

    /// <summary>Closes the IKE SA on whichever node holds it; the peer is told. Unknown SPIs are ignored.</summary>
    void Terminate(ulong responderSpi, string reason);

    /// <summary>
    /// Tells the established client to move to <paramref name="gateway"/> (RFC 5685 §5: INFORMATIONAL with N(REDIRECT)),
    /// on whichever node holds the SA. Refused with <see cref="RedirectOutcome.PeerLacksRedirectSupport"/> for peers
    /// that did not send REDIRECT_SUPPORTED. The SA is deleted once the client deletes it or after the redirect timeout.
    /// </summary>
    Task<RedirectOutcome> RedirectAsync(ulong responderSpi, GatewayIdentity gateway, TimeSpan timeout);
}
