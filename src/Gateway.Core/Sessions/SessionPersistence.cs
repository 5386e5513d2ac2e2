using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

/// <summary>
/// What the session actors need to persist established IKE SAs (issue 5); null in <see cref="SessionDependencies"/>
/// turns persistence off. <paramref name="Restore"/> makes the machine for a recovered snapshot (entity SPI given).
/// <paramref name="SequenceMargin"/>: how far ahead of the data plane's outbound ESP sequence number the persisted
/// high-water mark is kept; it is moved on when the sequence number comes within half of it (checked at every counter
/// poll), so the data plane must not send more than half a margin of packets per SA between polls. The inbound mark
/// (the highest sequence number received, replays at or below it are refused after a failover) is saved when it is
/// <see cref="InboundMarkStep"/> packets behind, or behind at all for <see cref="InboundMarkInterval"/> (see
/// <see cref="Persistence.SequenceMarks"/>).
/// </summary>
public sealed record SessionPersistence(Func<IkeSaSnapshot, IIkeSaMachine> Restore, ulong SequenceMargin = SessionPersistence.DefaultSequenceMargin)
{
    /// <summary>2^22 packets: ~40 s of one SA at 100 k packets/s between 10 s polls; 4 M of 4 G sequence numbers lost per failover.</summary>
    public const ulong DefaultSequenceMargin = 1ul << 22;

    /// <summary>At most this many packets per SA (plus one poll's worth) can be replayed once after a failover.</summary>
    public ulong InboundMarkStep { get; init; } = DefaultInboundMarkStep;

    /// <summary>... or at most this long of a slow SA's traffic: one save per busy SA every 5 minutes at most.</summary>
    public TimeSpan InboundMarkInterval { get; init; } = DefaultInboundMarkInterval;

    public const ulong DefaultInboundMarkStep = 1ul << 20;
    public static readonly TimeSpan DefaultInboundMarkInterval = TimeSpan.FromMinutes(5);

    /// <summary>The marks of one IKE SA under these settings (the defaults without persistence settings).</summary>
    public static Persistence.SequenceMarks NewSequenceMarks(SessionPersistence? settings) => settings is null
        ? new(DefaultSequenceMargin, DefaultInboundMarkStep, DefaultInboundMarkInterval)
        : new(settings.SequenceMargin, settings.InboundMarkStep, settings.InboundMarkInterval);
}
