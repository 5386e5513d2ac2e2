using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Everything needed to resume an ESTABLISHED IKE SA on another node (DESIGN.md "Cluster from the first day"):
/// the current IKE SA's SPIs, role, algorithms and keys, its message-ID state, paths, peer, virtual addresses, the
/// negotiated extensions, its lifetime deadline, and its child SAs. Exchanges under way (our rekeys, return-routability
/// checks, a redirect, IKE SAs a rekey replaced) are not part of it: they start again or are left to the peer's
/// retransmissions. Holds key material: never log it; persist it only through the encrypting serializer.
/// </summary>
public sealed record IkeSaSnapshot
{
    public required ulong InitiatorSpi { get; init; }
    public required ulong ResponderSpi { get; init; }

    /// <summary>True after we rekeyed the IKE SA ourselves (RFC 7296 §2.18): our SPI is then the initiator SPI.</summary>
    public required bool LocalIsOriginalInitiator { get; init; }

    /// <summary>The IKE SA's negotiated transforms (encryption + key length, PRF, integrity, KE group).</summary>
    public required IReadOnlyList<Transform> IkeTransforms { get; init; }

    public required IkeSaKeyMaterial Keys { get; init; }

    /// <summary>The message ID the peer's next request must carry.</summary>
    public required uint ExpectedRequestId { get; init; }

    /// <summary>The ID of the request last answered, whose response (all fragments) is cached for retransmissions.</summary>
    public uint? LastAnsweredId { get; init; }

    public IReadOnlyList<byte[]> CachedResponse { get; init; } = [];

    /// <summary>The message ID our next request gets.</summary>
    public required uint NextOwnRequestId { get; init; }

    /// <summary>Where IKE messages go (our address, the peer's).</summary>
    public required IPEndPoint Local { get; init; }
    public required IPEndPoint Remote { get; init; }
    public required bool IkeUdpEncapsulated { get; init; }

    /// <summary>Where the child SAs' ESP goes; differs from the IKE path only while a return-routability check runs.</summary>
    public required IPEndPoint TrafficLocal { get; init; }
    public required IPEndPoint TrafficRemote { get; init; }
    public required bool TrafficUdpEncapsulated { get; init; }

    public required bool PeerBehindNat { get; init; }
    public required bool LocalBehindNat { get; init; }

    public required string PeerIdentity { get; init; }
    public required IReadOnlyList<IPAddress> VirtualAddresses { get; init; }

    public required bool MobikeSupportedByPeer { get; init; }
    public required bool FragmentationNegotiated { get; init; }
    public required bool PeerSupportsRedirect { get; init; }

    /// <summary>The peer sent IKEV2_MESSAGE_ID_SYNC_SUPPORTED (RFC 6311) in IKE_AUTH.</summary>
    public bool PeerSupportsMessageIdSync { get; init; }

    /// <summary>The peer sent IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED (RFC 6311) in IKE_AUTH (layout v3; false before).</summary>
    public bool PeerSupportsReplayCounterSync { get; init; }

    /// <summary>When we rekey the IKE SA (absolute, so the deadline survives the move).</summary>
    public DateTime? IkeRekeyDueUtc { get; init; }

    /// <summary>Child SAs in installation order (the newest SA of a rekey comes last; the data plane routes to the newest).</summary>
    public required IReadOnlyList<ChildSaSnapshot> Children { get; init; }

    /// <summary>Our SPI of the current IKE SA (the ingress routes by it).</summary>
    public ulong LocalSpi => LocalIsOriginalInitiator ? InitiatorSpi : ResponderSpi;

    public override string ToString() =>
        $"IkeSaSnapshot({InitiatorSpi:x16}/{ResponderSpi:x16}, peer={PeerIdentity}, children={Children.Count}; keys redacted)";
}

/// <summary>The IKE SA keys (RFC 7296 §2.14) and the PRF they go with.</summary>
public sealed record IkeSaKeyMaterial(PseudorandomFunction Prf, byte[] SkD, byte[] SkAi, byte[] SkAr, byte[] SkEi, byte[] SkEr, byte[] SkPi, byte[] SkPr)
{
    public override string ToString() => $"IkeSaKeyMaterial({Prf}; redacted)";
}

/// <summary>
/// One child SA: the installation (SPIs both ways, algorithms, ESN, KEYMAT, path, inner addresses), what rekeying needs
/// (its transforms and both sides' selectors), where it stands, its lifetime deadlines, and the outbound ESP sequence
/// high-water mark: the data plane restarts outbound sequence numbers above it, so none is ever sent twice.
/// </summary>
public sealed record ChildSaSnapshot
{
    public required ChildSaInstallation Sa { get; init; }

    /// <summary>Null for a child whose life was not recorded (no rekey, no lifetimes).</summary>
    public IReadOnlyList<Transform>? Transforms { get; init; }
    public IReadOnlyList<TrafficSelector> LocalTs { get; init; } = [];
    public IReadOnlyList<TrafficSelector> RemoteTs { get; init; } = [];

    public ChildSaSnapshotState State { get; init; } = ChildSaSnapshotState.Active;

    public DateTime? SoftDueUtc { get; init; }
    public DateTime? HardDueUtc { get; init; }

    /// <summary>No outbound packet of this SA has had or will get a sequence number at or below this once resumed.</summary>
    public ulong OutboundSequenceMark { get; init; }

    /// <summary>
    /// Inbound ESP sequence numbers at or below this were received before the save (an observed value, not one ahead):
    /// once resumed they count as replays. 0: none known (layout v1).
    /// </summary>
    public ulong InboundSequenceMark { get; init; }

    public override string ToString() => $"ChildSaSnapshot({Sa}, {State}, mark={OutboundSequenceMark}, inbound mark={InboundSequenceMark})";
}

/// <summary>Where a persisted child SA stood (see the machine's life states).</summary>
public enum ChildSaSnapshotState : byte
{
    Active = 0,

    /// <summary>Replaced by the peer's rekey: kept for inbound until the peer deletes it.</summary>
    Replaced = 1,

    /// <summary>Replaced by our rekey: we delete it (the Delete is sent again after a resume).</summary>
    Deleting = 2,
}
