namespace Gateway.Esp;

/// <summary>What became of an arriving ESP packet.</summary>
public enum InboundResult
{
    /// <summary>Verified, fresh, from an allowed source: write the inner packet to the TUN device.</summary>
    Delivered = 0,
    /// <summary>Too short to be ESP, or the verified content is not an IP packet of the announced version.</summary>
    Malformed,
    /// <summary>No inbound SA with this SPI on this node.</summary>
    UnknownSpi,
    /// <summary>A duplicate or a number left of the anti-replay window.</summary>
    Replay,
    /// <summary>The ICV did not verify (forged, corrupted, or a wrongly inferred ESN high half).</summary>
    IcvFailure,
    /// <summary>Authentic, but the inner source is not the client's assigned address (traffic selectors).</summary>
    PolicyViolation,
    /// <summary>A dummy packet (next header 59, RFC 4303 §2.6) for traffic-flow confidentiality: nothing to deliver.</summary>
    Dummy,
}

/// <summary>
/// Inbound ESP processing (RFC 4303 §3.4) for one packet: SPI lookup, anti-replay check, ICV verification and
/// decryption, window update only after verification, inner source check. No allocation, lock or LINQ: it runs per
/// packet. Must run on the SA's single receive thread (see <see cref="ReplayWindow"/>).
/// </summary>
public static class EspInbound
{
    /// <param name="espPacket">From the SPI to the ICV (UDP payload for encapsulated ESP, IP payload for raw ESP).</param>
    /// <param name="inner">Receives the inner packet; at least as long as <paramref name="espPacket"/>.</param>
    /// <param name="innerLength">The inner packet's length (TFC padding removed) when Delivered.</param>
    public static InboundResult Process(SecurityAssociationTable table, ReadOnlySpan<byte> espPacket, Span<byte> inner,
        out int innerLength, out InboundSa? sa)
    {
        innerLength = 0;
        sa = null;
        if (espPacket.Length < UdpEncapsulation.EspHeaderLength)
            return InboundResult.Malformed;
        if (!table.TryGetInbound(UdpEncapsulation.ReadSpi(espPacket), out sa))
            return InboundResult.UnknownSpi;

        ReplayWindow window = sa.ReplayWindow;
        if (!window.TryInferAndCheck(UdpEncapsulation.ReadSequenceLow(espPacket), out ulong seq))
        {
            sa.Counters.AddReplayDrop();
            return InboundResult.Replay;
        }
        if (!sa.Cipher.TryOpen(espPacket, seq, inner, out int payloadLength, out byte nextHeader))
        {
            sa.Counters.AddIcvFailure();
            return InboundResult.IcvFailure;
        }
        // Only now, with the ICV verified, may the window move (RFC 4303 §3.4.3).
        if (!window.Accept(seq))
        {
            sa.Counters.AddReplayDrop();
            return InboundResult.Replay;
        }

        if (nextHeader == 59)
            return InboundResult.Dummy;
        ReadOnlySpan<byte> payload = inner[..payloadLength];
        if (!InnerPacket.TryParse(payload, out InnerPacketInfo info) || InnerPacket.NextHeaderFor(info) != nextHeader)
            return InboundResult.Malformed;
        if (!sa.AllowsSource(info.Source))
        {
            sa.Counters.AddPolicyDrop();
            return InboundResult.PolicyViolation;
        }

        innerLength = info.Length;
        sa.Counters.AddPacket(innerLength);
        return InboundResult.Delivered;
    }
}
