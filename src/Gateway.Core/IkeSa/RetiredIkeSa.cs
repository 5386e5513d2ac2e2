namespace Gateway.Core.IkeSa;

/// <summary>
/// An IKE SA that is no longer current but still exists: the one a rekey replaced (until its Delete), or the redundant
/// one of a simultaneous rekey. It keeps its keys and message IDs so that the peer's Delete (and retransmissions of
/// the rekey request it answered) are handled, and so that our own Delete on it can be matched.
/// </summary>
internal sealed class RetiredIkeSa(IkeSaCrypto crypto, ulong initiatorSpi, ulong responderSpi, bool localIsOriginalInitiator)
{
    public IkeSaCrypto Crypto { get; } = crypto;
    public ulong InitiatorSpi { get; } = initiatorSpi;
    public ulong ResponderSpi { get; } = responderSpi;
    public bool LocalIsOriginalInitiator { get; } = localIsOriginalInitiator;
    public ulong LocalSpi => LocalIsOriginalInitiator ? InitiatorSpi : ResponderSpi;

    public uint ExpectedRequestId { get; set; }
    public uint? LastAnsweredId { get; set; }
    public IReadOnlyList<byte[]>? CachedResponse { get; set; }
    public uint NextOwnRequestId { get; set; }

    /// <summary>Our Delete of this SA on the wire (resent with the usual back-off on its linger timer, then we drop the SA anyway).</summary>
    public OutstandingDelete? OurDelete { get; set; }

    public bool Matches(Gateway.Ike.IkeHeader header) => header.InitiatorSpi == InitiatorSpi && header.ResponderSpi == ResponderSpi;
}
