namespace Gateway.Esp;

/// <summary>What became of a packet read from the TUN device.</summary>
public enum OutboundResult
{
    /// <summary>Protected: send the ESP packet on the SA's current <see cref="SecurityAssociation.Path"/>.</summary>
    Sealed = 0,
    /// <summary>Not a well-formed IPv4 or IPv6 packet.</summary>
    Malformed,
    /// <summary>No client holds the destination address on this node.</summary>
    NoRoute,
    /// <summary>The SA has used its last sequence number; it must be rekeyed.</summary>
    SequenceExhausted,
    /// <summary>The destination buffer cannot hold the packet plus the cipher's overhead.</summary>
    BufferTooSmall,
}

/// <summary>
/// Outbound ESP processing (RFC 4303 §3.3) for one packet read from the TUN device: route by inner destination to the
/// client's SA, take the next sequence number, seal. No allocation, lock or LINQ: it runs per packet, on any thread.
/// </summary>
public static class EspOutbound
{
    public static OutboundResult Process(SecurityAssociationTable table, ReadOnlySpan<byte> innerPacket, Span<byte> espPacket,
        out int espLength, out OutboundSa? sa)
    {
        espLength = 0;
        sa = null;
        if (!InnerPacket.TryParse(innerPacket, out InnerPacketInfo info))
            return OutboundResult.Malformed;
        if (!table.TryGetOutbound(info.Destination, out sa))
            return OutboundResult.NoRoute;
        if (espPacket.Length < info.Length + sa.Cipher.MaxOverhead)
            return OutboundResult.BufferTooSmall;
        if (!sa.Sequence.TryNext(out ulong seq))
            return OutboundResult.SequenceExhausted;

        espLength = sa.Cipher.Seal(sa.Spi, seq, innerPacket[..info.Length], InnerPacket.NextHeaderFor(info), espPacket);
        sa.Counters.AddPacket(info.Length);
        return OutboundResult.Sealed;
    }
}
