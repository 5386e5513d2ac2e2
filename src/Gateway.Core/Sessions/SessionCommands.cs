using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// A message for one client's session entity, addressed by our responder SPI: the sharding extractor derives the
/// entity and shard from <see cref="ResponderSpi"/> alone. These cross nodes, so they are serialized by
/// <see cref="Serialization.SessionCommandSerializer"/>.
/// </summary>
public abstract record SessionCommand(ulong ResponderSpi);

/// <summary>An IKE_SA_INIT request admitted by the half-open gate: creates the IKE SA if the entity has none yet.</summary>
public sealed record OpenIkeSa(ulong ResponderSpi, IkeDatagram Datagram) : SessionCommand(ResponderSpi);

/// <summary>Any other IKE message for this SPI: dropped as unknown if the entity holds no IKE SA.</summary>
public sealed record DeliverToIkeSa(ulong ResponderSpi, IkeDatagram Datagram) : SessionCommand(ResponderSpi);

/// <summary>An operator (or the system) asks to close the IKE SA; the peer is told by the machine.</summary>
public sealed record CloseIkeSa(ulong ResponderSpi, string Reason) : SessionCommand(ResponderSpi);
