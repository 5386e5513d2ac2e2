namespace Gateway.Metrics;

/// <summary>Why the sockets or the data plane dropped a packet (label "reason" of gateway_packets_dropped_total).</summary>
public enum PacketDrop
{
    /// <summary>Too short or not classifiable (UDP 4500 garbage, truncated ESP, bad inner IP header).</summary>
    Malformed,
    /// <summary>ESP for an SPI this node has no inbound SA for.</summary>
    UnknownSpi,
    /// <summary>ESP sequence number already seen or left of the window.</summary>
    Replay,
    /// <summary>ESP integrity check (ICV) failed.</summary>
    IcvFailure,
    /// <summary>A verified inner packet whose source is not the SA's virtual address.</summary>
    Policy,
    /// <summary>A packet read from the TUN device for an inner destination with no SA.</summary>
    NoRoute,
    /// <summary>An ESP worker's queue was full (overload).</summary>
    QueueFull,
    /// <summary>The kernel refused a send or a TUN write.</summary>
    SendFailed,
    /// <summary>The outbound SA's sequence numbers are exhausted (it must be rekeyed).</summary>
    SequenceExhausted,
    /// <summary>An IKE message arrived before the IKE core was ready, or the core refused it.</summary>
    IkeRejected,
}
