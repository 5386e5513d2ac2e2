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

    /// <summary>The IKE SA could not parse the message's payloads.</summary>
    MalformedPayloads,

    /// <summary>The SK payload failed its integrity check.</summary>
    IntegrityFailure,

    /// <summary>Message ID outside the window of 1.</summary>
    OutOfWindow,

    /// <summary>Well formed but not expected in the SA's state (e.g. an unsolicited response).</summary>
    Unexpected,

    /// <summary>The transport refused to send a datagram the machine produced.</summary>
    SendFailed,

    /// <summary>
    /// An IKE_SA_INIT drew a session id (top 48 SPI bits) whose entity already holds another client's IKE SA; the
    /// half-open entry is released so the client's retransmission draws a new SPI.
    /// </summary>
    SessionCollision,
}

/// <summary>Maps the machine's drop reasons onto the metric's.</summary>
public static class DropReasons
{
    public static DropReason Of(IkeSa.IkeDropReason reason) => reason switch
    {
        IkeSa.IkeDropReason.Malformed => DropReason.MalformedPayloads,
        IkeSa.IkeDropReason.IntegrityFailure => DropReason.IntegrityFailure,
        IkeSa.IkeDropReason.OutOfWindow => DropReason.OutOfWindow,
        _ => DropReason.Unexpected,
    };
}
