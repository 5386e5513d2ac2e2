using Gateway.Core.Transport;

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
