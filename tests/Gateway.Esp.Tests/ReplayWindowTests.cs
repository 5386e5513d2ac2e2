namespace Gateway.Esp.Tests;

public class ReplayWindowTests
{
    private const ulong TwoTo32 = 1UL << 32;

    /// <summary>What the receive path does for a packet whose ICV verifies: check, then accept.</summary>
    private static bool Receive(ReplayWindow window, ulong seq)
    {
        if (!window.TryInferAndCheck((uint)seq, out ulong inferred))
            return false;
        Assert.Equal(seq, inferred);
        return window.Accept(inferred);
    }

    [Fact]
    public void InOrderPacketsAreAcceptedAcrossManyRingTurns()
    {
        var window = new ReplayWindow();
        for (ulong seq = 1; seq <= 10_000; seq++)
            Assert.True(Receive(window, seq), $"seq {seq}");
        Assert.Equal(10_000UL, window.Highest);
    }

    [Fact]
    public void DuplicatesAreRejected()
    {
        var window = new ReplayWindow();
        Assert.True(Receive(window, 1));
        Assert.True(Receive(window, 2));
        Assert.False(window.TryInferAndCheck(1, out _));
        Assert.False(window.TryInferAndCheck(2, out _));
        Assert.False(window.Accept(2));
        Assert.Equal(2UL, window.Highest);
    }

    [Fact]
    public void OutOfOrderWithinTheWindowIsAcceptedOnce()
    {
        var window = new ReplayWindow();
        Assert.True(Receive(window, 1000));
        foreach (ulong seq in new ulong[] { 999, 1, 500, 64, 63, 65, 998 })
        {
            Assert.True(Receive(window, seq), $"first {seq}");
            Assert.False(Receive(window, seq), $"again {seq}");
        }
        Assert.Equal(1000UL, window.Highest);
    }

    [Fact]
    public void PacketsLeftOfTheWindowAreTooOld()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: false);
        Assert.True(Receive(window, 2000));
        Assert.False(window.TryInferAndCheck(976, out _)); // 2000 − 976 = 1024: just outside
        Assert.True(Receive(window, 977));                  // 2000 − 977 = 1023: the window's last slot
        Assert.False(window.TryInferAndCheck(1, out _));
    }

    [Fact]
    public void WithEsnALowValueBelowTheWindowIsInferredIntoTheNextSubspace()
    {
        // RFC 4303 A2.2: with ESN a value left of the window cannot be told from one 2^32 ahead; it is inferred as
        // the latter and the ICV (computed over the high bits) rejects it. It must never come back as the old number.
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true);
        Assert.True(Receive(window, 2000));
        Assert.True(window.TryInferAndCheck(976, out ulong inferred));
        Assert.Equal(TwoTo32 + 976, inferred);
        Assert.Equal(2000UL, window.Highest);
    }

    [Fact]
    public void ALargeJumpClearsTheWindow()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: false);
        for (ulong seq = 1; seq <= 100; seq++)
            Assert.True(Receive(window, seq));
        Assert.True(Receive(window, 1_000_000));
        Assert.False(window.TryInferAndCheck(100, out _)); // now far too old
        Assert.True(Receive(window, 999_999));
        Assert.True(Receive(window, 1_000_000 - 1023));
        // Numbers aliasing earlier ring slots (same index mod 2048) are fresh, not stale bits.
        Assert.True(Receive(window, 1_002_048));
        Assert.True(Receive(window, 1_002_048 - 1));
        Assert.True(Receive(window, 1_002_048 - 1023));
        Assert.False(window.TryInferAndCheck(1_000_000, out _)); // received, and now left of the window
    }

    [Fact]
    public void AJumpOfLessThanARingKeepsOlderBitsInTheWindow()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: false);
        Assert.True(Receive(window, 1000));
        Assert.True(Receive(window, 1500)); // 1000 is still inside (1500 − 1000 < 1024)
        Assert.False(Receive(window, 1000));
        Assert.True(Receive(window, 1200));
        Assert.True(Receive(window, 2100)); // slides 600 more: 1200 still inside, 1000 not
        Assert.False(Receive(window, 1200));
        Assert.False(window.TryInferAndCheck(1000, out _));
    }

    [Fact]
    public void SequenceNumberZeroIsNeverAccepted()
    {
        Assert.False(new ReplayWindow(extendedSequenceNumbers: false).TryInferAndCheck(0, out _));
        Assert.False(new ReplayWindow(extendedSequenceNumbers: true).TryInferAndCheck(0, out _));
        Assert.False(new ReplayWindow().Accept(0));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(1024)]
    [InlineData(4096)]
    public void TheWindowHoldsExactlyItsSize(int size)
    {
        var window = new ReplayWindow(size, extendedSequenceNumbers: false);
        ulong top = (ulong)size * 3 + 17;
        Assert.True(Receive(window, top));
        Assert.False(window.TryInferAndCheck((uint)(top - (ulong)size), out _));
        Assert.True(Receive(window, top - (ulong)size + 1));
        Assert.Equal(size, window.Size);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(63)]
    [InlineData(100)]
    [InlineData(1000)]
    public void WindowSizesMustBePowersOfTwoOfAtLeast64(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(size));

    [Fact]
    public void OnlyAcceptMovesTheWindow()
    {
        var window = new ReplayWindow(1024);
        Assert.True(Receive(window, 10));

        // A forged packet far ahead passes phase one (nothing is known about it yet)...
        Assert.True(window.TryInferAndCheck(5_000_000, out ulong forged));
        Assert.Equal(5_000_000UL, forged);
        // ...but its ICV fails, so Accept is never called: the window must not have moved.
        Assert.Equal(10UL, window.Highest);
        Assert.True(Receive(window, 9));
        Assert.True(Receive(window, 11));
        // And the same forged number checks as fresh again: no state was recorded.
        Assert.True(window.TryInferAndCheck(5_000_000, out _));
    }

    [Fact]
    public void ADuplicateThatPassedPhaseOneInTheSameBatchIsRefusedByAccept()
    {
        var window = new ReplayWindow();
        Assert.True(window.TryInferAndCheck(7, out ulong first));
        Assert.True(window.TryInferAndCheck(7, out ulong second)); // twin checked before the first was accepted
        Assert.True(window.Accept(first));
        Assert.False(window.Accept(second));
    }

    [Fact]
    public void AcceptRefusesANumberThatFellOutOfTheWindowMeanwhile()
    {
        var window = new ReplayWindow(64);
        Assert.True(Receive(window, 100));
        Assert.True(window.TryInferAndCheck(40, out ulong late)); // 100 − 40 = 60 < 64
        Assert.True(Receive(window, 200));                        // window moves on while 40 is being verified
        Assert.False(window.Accept(late));
    }

    // Failover (issue 5): the survivor resumes the window at the persisted inbound mark, an observed value (150 here)
    // while the peer had already sent up to 250 before the node died.
    [Fact]
    public void A_window_resumed_at_the_inbound_mark_refuses_replays_up_to_it_and_drops_no_new_packet()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: 150);
        Assert.False(window.TryInferAndCheck(1, out _));    // replay of an early packet
        Assert.False(window.TryInferAndCheck(150, out _));  // replay of the last packet before the save
        Assert.True(Receive(window, 200));                  // received after the save: the documented exposure, once
        Assert.False(window.TryInferAndCheck(200, out _));
        Assert.True(Receive(window, 251));                  // the peer's next packets all pass
        Assert.Equal(251ul, window.Highest);
    }

    // RFC 4303 Appendix A2.2, case A (window within one subspace): a low value below the window's bottom belongs to
    // the next subspace.
    [Fact]
    public void EsnCaseAInfersTheNextSubspaceForLowValuesBelowTheWindow()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: 3 * TwoTo32 + 3000);
        Assert.True(Receive(window, 3 * TwoTo32 + 5000));
        Assert.True(window.TryInferAndCheck(4000, out ulong inWindow));
        Assert.Equal(3 * TwoTo32 + 4000, inWindow);
        Assert.True(window.TryInferAndCheck(100, out ulong next));
        Assert.Equal(4 * TwoTo32 + 100, next);
        Assert.True(window.TryInferAndCheck(9000, out ulong above));
        Assert.Equal(3 * TwoTo32 + 9000, above);
    }

    // Case B (window spans two subspaces): high low-order values belong to the previous subspace.
    [Fact]
    public void EsnCaseBInfersThePreviousSubspaceForHighValues()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: 3 * TwoTo32 - 2000);
        Assert.True(Receive(window, 3 * TwoTo32 + 5));
        Assert.True(window.TryInferAndCheck(0xFFFF_FFF0, out ulong previous));
        Assert.Equal(2 * TwoTo32 + 0xFFFF_FFF0, previous);
        Assert.True(window.TryInferAndCheck(6, out ulong current));
        Assert.Equal(3 * TwoTo32 + 6, current);
        Assert.True(window.TryInferAndCheck(0x8000_0000, out ulong ahead));
        Assert.Equal(3 * TwoTo32 + 0x8000_0000, ahead);
    }

    [Fact]
    public void EsnWindowCrossesThe32BitBoundary()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: TwoTo32 - 10);
        for (ulong seq = TwoTo32 - 9; seq <= TwoTo32 + 20; seq++)
            Assert.True(Receive(window, seq), $"seq {seq:x}");
        Assert.Equal(TwoTo32 + 20, window.Highest);

        // Late packets from before the boundary are still recognised, as duplicates.
        Assert.False(window.TryInferAndCheck(0xFFFF_FFFF, out _));
        Assert.False(window.TryInferAndCheck(0, out _)); // 2^32 itself, already received
        Assert.False(window.TryInferAndCheck(5, out _));
    }

    [Fact]
    public void EsnLatePacketFromThePreviousSubspaceIsAcceptedAfterTheBoundary()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: TwoTo32 - 100);
        Assert.True(Receive(window, TwoTo32 + 3)); // jump over the boundary, leaving a gap
        Assert.True(window.TryInferAndCheck(0xFFFF_FFF8, out ulong late));
        Assert.Equal(TwoTo32 - 8, late);
        Assert.True(window.Accept(late));
        Assert.False(Receive(window, TwoTo32 - 8));
        Assert.Equal(TwoTo32 + 3, window.Highest);
    }

    [Fact]
    public void EsnNeverInfersANumberBeforeTheStart()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true);
        // Case B with Th = 0: values just below 2^32 would belong to subspace −1.
        Assert.False(window.TryInferAndCheck(0xFFFF_FFFF, out _));
        Assert.True(Receive(window, 1));
    }

    [Fact]
    public void EsnNeverInfersANumberPastTheEndOfTheSequenceSpace()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: ulong.MaxValue - 10);
        Assert.False(window.TryInferAndCheck(3, out _)); // would be subspace 2^32
        Assert.True(Receive(window, ulong.MaxValue));
        Assert.False(Receive(window, ulong.MaxValue));
    }

    [Fact]
    public void WithoutEsnNumbersDoNotWrap()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: false, highestReceived: uint.MaxValue - 5);
        Assert.True(Receive(window, uint.MaxValue));
        Assert.True(window.TryInferAndCheck(uint.MaxValue - 1, out _));
        Assert.False(window.TryInferAndCheck(5, out _)); // 5, not 2^32 + 5: far too old
    }

    [Fact]
    public void AResumedWindowTreatsEverythingUpToTheHighWaterMarkAsSeen()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true, highestReceived: 5000);
        Assert.Equal(5000UL, window.Highest);
        Assert.False(window.TryInferAndCheck(5000, out _));
        Assert.False(window.TryInferAndCheck(4990, out _));
        Assert.True(Receive(window, 5002));
        Assert.True(Receive(window, 5001)); // above the resumed mark, in the same 64-block: fresh
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(1024, 2)]
    [InlineData(256, 3)]
    public void MatchesAReferenceModelOnRandomTraffic(int size, int seed)
    {
        // Reference: a set of everything received and the highest number; fresh = unseen and not too old.
        var random = new Random(seed);
        var seen = new HashSet<ulong>();
        ulong next = TwoTo32 - 3000; // start just below the 32-bit boundary to exercise ESN inference too
        var window = new ReplayWindow(size, extendedSequenceNumbers: true, highestReceived: next - 1);
        ulong top = next - 1;
        for (ulong s = next - (ulong)size; s < next; s++)
            seen.Add(s);

        for (int i = 0; i < 50_000; i++)
        {
            // Mostly forward, with reordering, duplicates and occasional big jumps.
            ulong seq = random.Next(10) switch
            {
                0 => top >= (ulong)size * 2 ? top - (ulong)random.Next(size * 2) : top + 1, // maybe too old
                1 => top + (ulong)random.Next(1, 5000),                                    // jump
                2 when seen.Count > 0 => top - (ulong)random.Next(Math.Min(size, 70)),     // likely duplicate
                _ => top + (ulong)random.Next(1, 8),
            };
            bool expected = seq != 0 && !seen.Contains(seq) && (seq > top || top - seq < (ulong)size);
            bool checkedOk = window.TryInferAndCheck((uint)seq, out ulong inferred);
            if (checkedOk && inferred != seq)
            {
                // Only a number left of the window may be inferred differently (into a later subspace, see A2.2);
                // its ICV would fail, so it is never accepted.
                Assert.True(top - seq >= (ulong)size, $"seq {seq:x} inferred as {inferred:x} with top {top:x}");
                Assert.True(inferred > top);
                checkedOk = false;
            }
            Assert.Equal(expected, checkedOk);
            if (expected)
            {
                Assert.True(window.Accept(inferred));
                seen.Add(seq);
                top = Math.Max(top, seq);
            }
            Assert.Equal(top, window.Highest);
        }
        Assert.True(top > TwoTo32, "the run crossed the 32-bit boundary");
    }

    // RFC 6311 replay counter sync: the peer moved its counter beyond the floor; the floor is raised from another
    // thread and applied by the receive path before its next check.
    [Fact]
    public void A_raised_floor_above_the_top_refuses_everything_up_to_it_and_takes_the_next_number()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: false, highestReceived: 150);
        Assert.True(Receive(window, 200));           // after the mark: accepted before the floor comes
        window.RaiseFloor(150 + 5000);
        window.RaiseFloor(150 + 4000);               // a lower one changes nothing
        Assert.False(window.TryInferAndCheck(300, out _));
        Assert.False(window.TryInferAndCheck(5150, out _));
        Assert.Equal(5150ul, window.Highest);
        Assert.True(Receive(window, 5151));
        Assert.True(Receive(window, 5160));
        Assert.True(Receive(window, 5155));          // reordering above the floor is still fine
    }

    [Fact]
    public void A_raised_floor_below_the_top_marks_the_window_up_to_it_as_seen_and_keeps_the_rest()
    {
        var window = new ReplayWindow(1024, extendedSequenceNumbers: true);
        Assert.True(Receive(window, 1000));
        window.RaiseFloor(900);
        Assert.False(window.TryInferAndCheck(899, out _));
        Assert.False(window.TryInferAndCheck(900, out _));
        Assert.True(Receive(window, 901));
        Assert.Equal(1000ul, window.Highest);
    }

    [Fact]
    public void Without_ESN_a_floor_beyond_32_bits_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(1024, extendedSequenceNumbers: false).RaiseFloor(TwoTo32));
}
