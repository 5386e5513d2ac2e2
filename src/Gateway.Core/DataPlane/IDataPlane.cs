using System.Net;
using Gateway.Ike;

namespace Gateway.Core.DataPlane;

/// <summary>
/// The small interface through which the control plane (IKE and child SA actors) drives the ESP data plane
/// (DESIGN.md: install/update/remove an SA, read its counters). Implemented over Gateway.Esp by the executable.
/// Thread-safe; calls are cheap and never block on packet processing.
/// </summary>
public interface IDataPlane
{
    /// <summary>Installs both directions of a child SA. Inbound SPI is ours; outbound SPI is the peer's.</summary>
    void Install(ChildSaInstallation sa);

    /// <summary>Moves an SA pair to a new peer address/port and encapsulation (MOBIKE, NAT mapping change).</summary>
    void UpdatePeer(uint inboundSpi, IPEndPoint local, IPEndPoint remote, bool udpEncapsulated);

    /// <summary>
    /// From now on the SA's inbound sequence numbers at or below <paramref name="floor"/> are replays (RFC 6311 replay
    /// counter sync after a failover: the peer confirmed it moved its counter beyond). Unknown SPIs are ignored.
    /// </summary>
    void RaiseInboundFloor(uint inboundSpi, ulong floor);

    /// <summary>Removes both directions of the SA pair identified by our inbound SPI. Unknown SPIs are ignored.</summary>
    void Remove(uint inboundSpi);

    /// <summary>Counters of the SA pair, or null when not installed.</summary>
    ChildSaCounters? ReadCounters(uint inboundSpi);
}

/// <summary>
/// Everything the data plane needs for one child SA (ESP, tunnel mode). Keys are the KEYMAT slices of RFC 7296 §2.17:
/// "Initiator" keys protect initiator→responder traffic; we are the responder, so inbound uses the initiator keys.
/// <paramref name="RemoteInnerAddresses"/> are the client's virtual addresses: outbound packets to them use this SA,
/// and inbound packets must come from them.
/// </summary>
public sealed record ChildSaInstallation(
    uint InboundSpi,
    uint OutboundSpi,
    EncryptionAlgorithm Encryption,
    int EncryptionKeyBits,
    IntegrityAlgorithm Integrity,
    bool ExtendedSequenceNumbers,
    byte[] InboundEncryptionKey,
    byte[] InboundIntegrityKey,
    byte[] OutboundEncryptionKey,
    byte[] OutboundIntegrityKey,
    IPEndPoint Local,
    IPEndPoint Remote,
    bool UdpEncapsulated,
    IReadOnlyList<IPAddress> RemoteInnerAddresses)
{
    /// <summary>
    /// The last outbound ESP sequence number taken as used: the first packet gets the next one. 0 for a new SA; a
    /// persisted high-water mark for an SA resumed after a failover, so no sequence number is sent twice (issue 5).
    /// </summary>
    public ulong OutboundSequenceStart { get; init; }

    /// <summary>
    /// Inbound sequence numbers at or below this count as already received (replays): 0 for a new SA; the persisted
    /// inbound mark for an SA resumed after a failover, so packets received before that save cannot be replayed.
    /// </summary>
    public ulong InboundSequenceStart { get; init; }

    /// <summary>Never print keys.</summary>
    public override string ToString() =>
        $"ChildSa(in={InboundSpi:x8}, out={OutboundSpi:x8}, {Encryption}/{EncryptionKeyBits}/{Integrity}, esn={ExtendedSequenceNumbers}, {Local}->{Remote}, udp={UdpEncapsulated}, inner=[{string.Join(",", RemoteInnerAddresses)}])";
}

/// <summary>Counters of one SA pair as the data plane sees them.</summary>
public sealed record ChildSaCounters(
    long InboundPackets, long InboundBytes, long OutboundPackets, long OutboundBytes,
    long ReplayDrops, long IntegrityFailures, DateTime LastInboundUtc)
{
    /// <summary>The last outbound ESP sequence number handed out (for the persisted high-water mark; 0: none yet or unknown).</summary>
    public ulong OutboundSequence { get; init; }

    /// <summary>The highest inbound ESP sequence number accepted (for the persisted inbound mark; 0: none yet or unknown).</summary>
    public ulong InboundSequence { get; init; }
}
