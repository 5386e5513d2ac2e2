using Gateway.Core.IkeSa;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.Sessions;

/// <summary>
/// A message for one client's session entity, addressed by one of our IKE SPIs (<see cref="LocalSpi"/>: the responder
/// SPI of an SA the peer initiated, the initiator SPI after we rekeyed the IKE SA): the sharding extractor derives the
/// entity and shard from its session bits alone. These cross nodes, so they are serialized by
/// <see cref="Serialization.SessionCommandSerializer"/>.
/// </summary>
public abstract record SessionCommand(ulong LocalSpi);

/// <summary>An IKE_SA_INIT request admitted by the half-open gate: creates the IKE SA (with this responder SPI) if the entity has none yet.</summary>
public sealed record OpenIkeSa(ulong LocalSpi, IkeDatagram Datagram) : SessionCommand(LocalSpi);

/// <summary>Any other IKE message for this SPI: dropped as unknown if the entity holds no IKE SA.</summary>
public sealed record DeliverToIkeSa(ulong LocalSpi, IkeDatagram Datagram) : SessionCommand(LocalSpi);

/// <summary>An operator (or the system) asks to close the IKE SA; the peer is told by the machine.</summary>
public sealed record CloseIkeSa(ulong LocalSpi, string Reason) : SessionCommand(LocalSpi);

/// <summary>
/// Delete the IKE SA without telling the peer: a newer SA of its identity (possibly on another node) came with
/// INITIAL_CONTACT (RFC 7296 §2.4). Any SPI with the session's bits reaches it.
/// </summary>
public sealed record DiscardIkeSa(ulong LocalSpi, string Reason) : SessionCommand(LocalSpi);

/// <summary>
/// An operator asks to move the established client to <paramref name="Gateway"/> (RFC 5685 §5). Any SPI with the
/// session's bits reaches the entity (<see cref="Hosting.IGatewaySessions.RedirectAsync"/> uses generation 0). The
/// session answers the sender with a <see cref="RedirectReply"/>.
/// </summary>
public sealed record RedirectIkeSa(ulong LocalSpi, GatewayIdentity Gateway) : SessionCommand(LocalSpi);

/// <summary>
/// The answer to <see cref="RedirectIkeSa"/>, naming the session (not an SPI: the IKE SA's SPI changes on rekey, the
/// session id does not); crosses nodes like the commands (same serializer).
/// </summary>
public sealed record RedirectReply(ulong SessionId, RedirectOutcome Outcome);

/// <summary>
/// From <see cref="SessionWaker"/>: start the session if it is not running (it recovers from its journal and runs its
/// timers) and answer <see cref="SessionAwake"/>. Any SPI with the session's bits reaches it.
/// </summary>
public sealed record WakeSession(ulong LocalSpi) : SessionCommand(LocalSpi);

/// <summary>
/// From the address registry, before it frees the lease of a session missing from the journal: does this session hold
/// an IKE SA? Starts it if it is not running (it recovers from its journal, if anything is there) and answers
/// <see cref="SessionProbed"/>. Any SPI with the session's bits reaches it.
/// </summary>
public sealed record ProbeSession(ulong LocalSpi) : SessionCommand(LocalSpi);

/// <summary>
/// Messages from sessions to the cluster singletons (the <see cref="SessionWaker"/>, the address registry); they cross
/// nodes, same serializer as the commands.
/// </summary>
public abstract record SessionWakeMessage(ulong SessionId);

/// <summary>The answer to <see cref="WakeSession"/>: the session is running (or had nothing to resume and stopped).</summary>
public sealed record SessionAwake(ulong SessionId) : SessionWakeMessage(SessionId);

/// <summary>The answer to <see cref="ProbeSession"/>: <paramref name="Running"/> when the session holds an IKE SA (it then keeps its lease).</summary>
public sealed record SessionProbed(ulong SessionId, bool Running) : SessionWakeMessage(SessionId);

/// <summary>A session handed off by a shard move or a leaving node asks to be woken wherever its shard goes next.</summary>
public sealed record WakeAfterHandOff(ulong SessionId) : SessionWakeMessage(SessionId);
