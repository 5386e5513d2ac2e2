namespace Gateway.Core.Metrics;

/// <summary>Why the IKE front door or an IKE SA entity dropped a message (one counter label each).</summary>
public enum DropReason
{
    /// <summary>The header did not parse (too short, wrong version, length disagrees with the datagram).</summary>
    Malformed,

    /// <summary>The responder SPI names no live IKE SA (or is zero on anything but an IKE_SA_INIT request).</summary>
    UnknownSpi,

    /// <summary>A new IKE_SA_INIT arrived while the half-open table was full.</summary>
    HalfOpenLimit,

    /// <summary>A half-open IKE SA did not complete IKE_AUTH within its lifetime and was discarded.</summary>
    HalfOpenExpired,

    /// <summary>The transport refused to send a datagram the machine produced.</summary>
    SendFailed,
}
