using System.Numerics;

namespace Gateway.Esp;

/// <summary>
/// Inbound anti-replay window of one ESP SA (RFC 4303 §3.4.3 and Appendix A), with extended sequence numbers inferred
/// from the low 32 bits on the wire (Appendix A2.2).
/// <para>
/// Two phases, as §3.4.3 requires: <see cref="TryInferAndCheck"/> before the ICV is verified (cheap rejection of
/// duplicates, and the high-order bits the ICV needs with ESN), <see cref="Accept"/> only after it verified, so a forged
/// packet can never move the window.
/// </para>
/// <para>
/// Bitmap: a ring of 2·W bits in ulong words indexed by sequence number (the RFC 6479 layout). The ring is one block
/// of 64 larger than the window needs, so advancing the window clears whole words and never shifts the bitmap; the cost
/// of a check or an accept is O(1) (O(W/64) word clears at most for a large jump), with no allocation.
/// </para>
/// <para>
/// Threading: single writer. All packets of one inbound SA are processed by one receive thread at a time (the receive
/// path dispatches by SPI to a fixed worker), so the window needs no lock or interlocked operation on the packet path.
/// A lock-free multi-writer window is possible but subtle (advancing the top and clearing words race with concurrent
/// markers), and a lock per packet is what we avoid. <see cref="Highest"/> may be read from any thread (control plane,
/// RFC 6311 replay counter sync).
/// </para>
/// </summary>
public sealed class ReplayWindow
{
    public const int DefaultSize = 1024;

    private ulong[]? _ring;           // made by the writer at the first packet accepted: an idle SA never needs one
    private readonly ulong _ringMask; // word index mask (ring length is a power of two)
    private readonly uint _size;
    private ulong _top;               // highest sequence number accepted so far (0: none)
    private ulong _requestedFloor;    // RaiseFloor's value, any thread; applied by the writer (0: none pending)

    /// <param name="size">Window size W in packets: a power of two, at least 64.</param>
    /// <param name="extendedSequenceNumbers">True when ESN was negotiated for this SA.</param>
    /// <param name="highestReceived">
    /// Resume after a failover: the highest sequence number known to have been received. Every number up to it is
    /// treated as already seen (conservative: a late packet may be dropped, a replay is never accepted).
    /// </param>
    public ReplayWindow(int size = DefaultSize, bool extendedSequenceNumbers = true, ulong highestReceived = 0)
    {
        if (size < 64 || !BitOperations.IsPow2(size))
            throw new ArgumentOutOfRangeException(nameof(size), size, "The replay window size must be a power of two of at least 64.");
        if (!extendedSequenceNumbers && highestReceived > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(highestReceived), "Without ESN sequence numbers are 32-bit.");

        _size = (uint)size;
        _ringMask = (ulong)(size * 2 / 64) - 1;
        ExtendedSequenceNumbers = extendedSequenceNumbers;
        if (highestReceived != 0)
            MarkAllSeenUpTo(highestReceived);
    }

    public int Size => (int)_size;

    public bool ExtendedSequenceNumbers { get; }

    /// <summary>The highest sequence number accepted so far (0 before the first packet).</summary>
    public ulong Highest => Volatile.Read(ref _top);

    /// <summary>
    /// Phase one, before integrity verification: infers the full sequence number from the 32 bits on the wire and
    /// checks it against the window. False: a duplicate, too old, zero, or past the end of the sequence space — drop
    /// and count the packet without verifying it.
    /// </summary>
    public bool TryInferAndCheck(uint seqLow, out ulong seq)
    {
        if (Volatile.Read(ref _requestedFloor) != 0)
            ApplyRequestedFloor();
        ulong top = _top;
        if (!Infer(seqLow, top, out seq))
            return false;
        return IsFresh(seq, top);
    }

    /// <summary>
    /// Phase two, after the ICV verified: records <paramref name="seq"/> and advances the window if it is the new highest.
    /// Returns false (and changes nothing) if the number is no longer fresh, e.g. a duplicate that passed phase one while
    /// its twin was still being verified in the same batch; such a packet must be dropped as a replay.
    /// </summary>
    public bool Accept(ulong seq)
    {
        ulong top = _top;
        if (seq == 0 || !IsFresh(seq, top))
            return false;

        if (seq > top)
        {
            // Clear the words of the blocks the window slides into: blocks (top/64, seq/64]. A jump of a full ring or more
            // clears everything. Older blocks keep their bits: the ring is one block longer than the window.
            ulong blocks = (seq >> 6) - (top >> 6);
            var ring = Ring;
            if (blocks >= (ulong)ring.Length)
            {
                Array.Clear(ring);
            }
            else
            {
                for (ulong b = (top >> 6) + 1; b <= seq >> 6; b++)
                    ring[b & _ringMask] = 0;
            }
            SetBit(seq);
            Volatile.Write(ref _top, seq);
        }
        else
        {
            SetBit(seq);
        }
        return true;
    }

    /// <summary>
    /// From now on every sequence number at or below <paramref name="floor"/> counts as received (RFC 6311 replay
    /// counter sync: the peer moved its counter beyond it). Any thread: the receive thread applies it before its next
    /// check, so the single-writer bitmap is never touched from outside. A lower floor than one pending changes nothing.
    /// </summary>
    public void RaiseFloor(ulong floor)
    {
        if (!ExtendedSequenceNumbers && floor > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(floor), "Without ESN sequence numbers are 32-bit.");
        ulong pending = Volatile.Read(ref _requestedFloor);
        while (floor > pending)
        {
            ulong seen = Interlocked.CompareExchange(ref _requestedFloor, floor, pending);
            if (seen == pending)
                return;
            pending = seen;
        }
    }

    private void ApplyRequestedFloor()
    {
        ulong floor = Interlocked.Exchange(ref _requestedFloor, 0);
        if (floor > _top)
        {
            MarkAllSeenUpTo(floor);
            return;
        }
        // Below the top: the numbers of the window up to the floor become seen; older ones are refused anyway.
        ulong lowest = _top >= _size ? _top - _size + 1 : 1;
        for (ulong seq = lowest; seq <= floor; seq++)
            SetBit(seq);
    }

    // RFC 4303 Appendix A2.2: pick the high-order 32 bits so that the number lies in, or above, the current window.
    private bool Infer(uint seqLow, ulong top, out ulong seq)
    {
        if (!ExtendedSequenceNumbers)
        {
            seq = seqLow;
            return seqLow != 0; // 0 is never sent (the first packet has 1)
        }

        uint tl = (uint)top;
        uint th = (uint)(top >> 32);
        uint bottomLow = unchecked(tl - _size + 1); // low 32 bits of the window's lowest number, mod 2^32
        ulong seqHigh;
        if (tl >= _size - 1)
        {
            // Case A: the window lies within one 2^32 subspace.
            seqHigh = seqLow >= bottomLow ? th : (ulong)th + 1;
        }
        else
        {
            // Case B: the window spans two subspaces; high low-order values belong to the previous one.
            seqHigh = seqLow >= bottomLow ? (ulong)th - 1 : th;
            if (seqLow >= bottomLow && th == 0)
            {
                seq = 0; // would lie before the start of the sequence space
                return false;
            }
        }

        if (seqHigh > uint.MaxValue)
        {
            seq = 0; // past 2^64 − 1: the sender may not cycle the counter
            return false;
        }
        seq = (seqHigh << 32) | seqLow;
        return seq != 0;
    }

    private bool IsFresh(ulong seq, ulong top)
    {
        if (seq > top)
            return true; // always so while there is no ring: the top is 0 until the ring is made
        if (top - seq >= _size)
            return false; // left of the window: too old
        return (Ring[(seq >> 6) & _ringMask] & (1UL << (int)(seq & 63))) == 0;
    }

    /// <summary>
    /// The bitmap, made on first use (by the one writer thread, like every change of it): 2·W bits (280 bytes at the
    /// default size) that an SA which never receives a packet — an idle tunnel's — does not need.
    /// </summary>
    private ulong[] Ring => _ring ??= new ulong[_ringMask + 1];

    private void SetBit(ulong seq) => Ring[(seq >> 6) & _ringMask] |= 1UL << (int)(seq & 63);

    private void MarkAllSeenUpTo(ulong highest)
    {
        // Older blocks: all seen. The top block: only the numbers up to `highest`, so numbers just above it stay fresh.
        var ring = Ring;
        Array.Fill(ring, ulong.MaxValue);
        int topBit = (int)(highest & 63);
        ring[(highest >> 6) & _ringMask] = topBit == 63 ? ulong.MaxValue : (1UL << (topBit + 1)) - 1;
        Volatile.Write(ref _top, highest);
    }
}
