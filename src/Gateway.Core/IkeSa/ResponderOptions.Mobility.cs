using System.Net;

namespace Gateway.Core.IkeSa;

// MOBIKE, liveness/dormancy, our own requests and fragmentation. A separate part of ResponderOptions so that other
// branches adding options (rekey lifetimes) touch a different file.
public sealed partial record ResponderOptions
{
    /// <summary>Timer key of the liveness check (idle peer → empty INFORMATIONAL request).</summary>
    public const string LivenessTimerKey = "liveness";

    /// <summary>Timer key of the dormant grace period (its end deletes the SAs).</summary>
    public const string DormantGraceTimerKey = "dormant-grace";

    /// <summary>Timer key of the retransmission of our own outstanding request (window of 1, so one key suffices).</summary>
    public const string RequestRetransmitTimerKey = "request-retransmit";

    /// <summary>Answer MOBIKE_SUPPORTED (RFC 4555) when the peer sent it in IKE_AUTH.</summary>
    public bool Mobike { get; init; } = true;

    /// <summary>
    /// This node's other addresses, announced with ADDITIONAL_IP4/IP6_ADDRESS in the IKE_AUTH response of a MOBIKE
    /// peer (the address the peer dialled is implicit and left out); none → NO_ADDITIONAL_ADDRESSES.
    /// </summary>
    public IReadOnlyList<IPAddress> AdditionalAddresses { get; init; } = [];

    /// <summary>
    /// Return-routability check (RFC 4555 §3.8: "by default SHOULD be performed") before a MOBIKE peer's child SA
    /// traffic moves to a new address: our INFORMATIONAL request with COOKIE2 to the new address must be answered.
    /// The IKE SA itself moves at once (its messages are authenticated; only bulk ESP could flood a third party).
    /// </summary>
    public bool ReturnRoutabilityCheck { get; init; } = true;

    /// <summary>Idle time (no authenticated IKE message, no inbound ESP) after which we probe the peer; null disables.</summary>
    public TimeSpan? LivenessInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits between (re)transmissions of our own requests, exponential back-off: send, wait [0], resend, wait [1], …;
    /// after the last wait without an answer the request has failed (the peer is unreachable).
    /// </summary>
    public IReadOnlyList<TimeSpan> RetransmitIntervals { get; init; } =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16)];

    /// <summary>How long an unreachable (dormant) peer's SAs are kept so it can come back, e.g. from a new address.</summary>
    public TimeSpan DormantGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Answer IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383) when the peer sent it in IKE_SA_INIT.</summary>
    public bool Fragmentation { get; init; } = true;

    /// <summary>
    /// Largest IP datagram (IP + UDP headers, non-ESP marker, IKE message) we send once fragmentation is negotiated;
    /// bigger SK messages go out as SKF fragments. 1280 (as strongSwan's default) fits the IPv6 minimum MTU and
    /// practically every IPv4 path; RFC 7383 §2.5.1 leaves the value to the implementation (576 is the IPv4 floor).
    /// </summary>
    public int FragmentSize { get; init; } = 1280;

    /// <summary>Most fragments accepted for one message (RFC 7383 §2.6 asks for a bound).</summary>
    public int MaxFragments { get; init; } = 64;

    /// <summary>Largest reassembled plaintext accepted (bytes of inner payloads).</summary>
    public int MaxReassembledSize { get; init; } = 64 * 1024;
}
