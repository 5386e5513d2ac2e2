using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

/// <summary>
/// What the session actors need to persist established IKE SAs (issue 5); null in <see cref="SessionDependencies"/>
/// turns persistence off. <paramref name="Restore"/> makes the machine for a recovered snapshot (entity SPI given).
/// <paramref name="SequenceMargin"/>: how far ahead of the data plane's outbound ESP sequence number the persisted
/// high-water mark is kept; it is moved on when the sequence number comes within half of it (checked at every counter
/// poll), so the data plane must not send more than half a margin of packets per SA between polls.
/// </summary>
public sealed record SessionPersistence(Func<IkeSaSnapshot, IIkeSaMachine> Restore, ulong SequenceMargin = SessionPersistence.DefaultSequenceMargin)
{
    /// <summary>2^22 packets: ~40 s of one SA at 100 k packets/s between 10 s polls; 4 M of 4 G sequence numbers lost per failover.</summary>
    public const ulong DefaultSequenceMargin = 1ul << 22;
}
