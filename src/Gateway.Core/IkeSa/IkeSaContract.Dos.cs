using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// Contract additions for INITIAL_CONTACT (RFC 7296 §2.4) and redirect of an established SA (RFC 5685 §5). Kept in
// their own file so the branches that extend IkeSaContract.cs merge without conflicts.

/// <summary>An operator asks to move the established peer to <paramref name="Gateway"/> (INFORMATIONAL with N(REDIRECT)).</summary>
public sealed record RedirectRequested(GatewayIdentity Gateway, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>
/// Delete this IKE SA without telling the peer, e.g. because the peer's identity came back with INITIAL_CONTACT: the
/// peer has lost this SA's state, so a Delete would only be noise it cannot read (RFC 7296 §2.4).
/// </summary>
public sealed record DiscardRequested(string Reason, DateTime NowUtc) : IkeSaInput(NowUtc);

/// <summary>
/// IKE_AUTH of <paramref name="PeerIdentity"/> carried N(INITIAL_CONTACT): the identity's other IKE SAs are stale and
/// should be deleted (emitted together with <see cref="IkeSaEstablished"/>).
/// </summary>
public sealed record InitialContactReceived(string PeerIdentity) : IkeSaEvent;

/// <summary>How a <see cref="RedirectRequested"/> ended.</summary>
public enum RedirectOutcome
{
    /// <summary>N(REDIRECT) is on its way; the SA is deleted when the client deletes it or after the redirect timeout.</summary>
    Sent,

    /// <summary>The peer did not send REDIRECT_SUPPORTED in IKE_SA_INIT (Windows, for one): nothing was sent.</summary>
    PeerLacksRedirectSupport,

    /// <summary>The IKE SA is not established (yet or any more): nothing was sent.</summary>
    NotEstablished,

    /// <summary>The session (id) has no IKE SA on any node.</summary>
    UnknownSession,
}

/// <summary>The answer to <see cref="RedirectRequested"/> (every such input yields exactly one).</summary>
public sealed record RedirectAnswered(RedirectOutcome Outcome, GatewayIdentity Gateway) : IkeSaEvent;
