namespace Gateway.Core.IkeSa;

/// <summary>Why an incoming message was dropped without an answer (for counters and debug logs; never packet bytes).</summary>
public enum IkeDropReason
{
    /// <summary>Header or payloads could not be parsed, or a required payload is missing.</summary>
    Malformed,

    /// <summary>The SK payload failed its integrity check (or could not be decrypted).</summary>
    IntegrityFailure,

    /// <summary>Message ID outside the window of 1 (older than the last answered, or too new).</summary>
    OutOfWindow,

    /// <summary>Well formed, but not expected in this state (e.g. an unsolicited response, SKF without fragmentation).</summary>
    Unexpected,
}

/// <summary>
/// A message was dropped without a response. The actor counts these (metrics); nothing else needs to act on it.
/// </summary>
public sealed record IkeMessageDropped(IkeDropReason Reason) : IkeSaEvent;

/// <summary>Where an IKE SA stands, for the actor and for logs.</summary>
public enum IkeSaPhase
{
    /// <summary>Created; waiting for the first IKE_SA_INIT request.</summary>
    New,

    /// <summary>IKE_SA_INIT answered; keys exist; waiting for IKE_AUTH.</summary>
    SaInitDone,

    /// <summary>IKE_AUTH in progress with EAP rounds.</summary>
    EapInProgress,

    /// <summary>EAP succeeded; waiting for the initiator's MSK-based AUTH.</summary>
    AwaitingEapAuth,

    /// <summary>IKE_AUTH completed: the peer is authenticated.</summary>
    Established,

    /// <summary>Gone: closed, failed or timed out. Further inputs are ignored.</summary>
    Terminated,

    /// <summary>Authenticated; the IKE_AUTH response waits for addresses leased outside the machine (<see cref="AddressLeaseNeeded"/>).</summary>
    AwaitingAddresses,
}

/// <summary>Timers and limits of the responder (defaults fit remote-access clients).</summary>
public sealed partial record ResponderOptions
{
    /// <summary>Timer key of the half-open timeout.</summary>
    public const string HalfOpenTimerKey = "half-open";

    /// <summary>How long IKE_SA_INIT → completed IKE_AUTH may take before the SA is dropped silently.</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Length of our nonce Nr in bytes (RFC 7296 §2.10: at least half the PRF key size, at least 16).</summary>
    public int NonceLength { get; init; } = 32;

    /// <summary>
    /// Virtual addresses come from outside the machine (the cluster's address registry): the IKE_AUTH that asks for
    /// them emits <see cref="AddressLeaseNeeded"/> and is answered once <see cref="AddressLeaseAnswered"/> comes in.
    /// Off: the machine leases them from its <see cref="IResponderServices"/> at once.
    /// </summary>
    public bool ExternalAddressLeases { get; init; }

    /// <summary>Lifetimes, rekeying and our own requests' retransmission.</summary>
    public RekeyOptions Rekey { get; init; } = RekeyOptions.Default;

    public static readonly ResponderOptions Default = new();
}
