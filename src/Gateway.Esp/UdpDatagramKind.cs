namespace Gateway.Esp;

/// <summary>What a datagram received on UDP port 4500 carries (RFC 3948 §2).</summary>
public enum UdpDatagramKind
{
    /// <summary>Too short, a reserved SPI, or otherwise not one of the kinds below: drop and count.</summary>
    Malformed = 0,

    /// <summary>A NAT-keepalive (RFC 3948 §2.3): a single 0xFF byte. Nothing to do beyond refreshing liveness.</summary>
    NatKeepalive,

    /// <summary>An IKE message after the 4-byte zero non-ESP marker (RFC 3948 §2.2).</summary>
    Ike,

    /// <summary>An ESP packet starting with its (nonzero) SPI (RFC 3948 §2.1).</summary>
    Esp,
}
