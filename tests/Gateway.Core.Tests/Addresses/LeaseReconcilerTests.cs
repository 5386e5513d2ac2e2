using Gateway.Core.Addresses;

namespace Gateway.Core.Tests.Addresses;

/// <summary>Which leases the registry frees: only holders missing from the journal for the whole grace period, a batch at a time.</summary>
public sealed class LeaseReconcilerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly LeaseReconcilerOptions Options = new(Interval, TimeSpan.FromMinutes(10), 1000);

    private static DateTimeOffset Round(int n) => T0 + n * Interval;

    [Fact]
    public void A_holder_missing_from_the_journal_is_freed_only_after_the_grace_period()
    {
        var reconciler = new LeaseReconciler(Options);
        Assert.Empty(reconciler.Round([1, 2], new HashSet<ulong> { 2 }, Round(0))); // suspected from now
        Assert.Equal(1, reconciler.Suspects);
        Assert.Empty(reconciler.Round([1, 2], new HashSet<ulong> { 2 }, Round(1))); // 5 min: not yet
        Assert.Equal([1ul], reconciler.Round([1, 2], new HashSet<ulong> { 2 }, Round(2))); // 10 min
        Assert.Equal(0, reconciler.Suspects);
    }

    [Fact]
    public void A_live_session_is_never_freed()
    {
        var reconciler = new LeaseReconciler(Options);
        for (int n = 0; n < 10; n++)
            Assert.Empty(reconciler.Round([7], new HashSet<ulong> { 7 }, Round(n)));
        Assert.Equal(0, reconciler.Suspects);
    }

    [Fact]
    public void A_session_being_established_is_kept_once_its_first_write_shows_up()
    {
        var reconciler = new LeaseReconciler(Options);
        // Leased during IKE_AUTH just before the read started, not written yet: suspected, not freed.
        Assert.Empty(reconciler.Round([3], new HashSet<ulong>(), Round(0)));
        // By the next read its state is in the journal: no longer suspect, and its suspicion does not carry over.
        Assert.Empty(reconciler.Round([3], new HashSet<ulong> { 3 }, Round(1)));
        Assert.Equal(0, reconciler.Suspects);
        Assert.Empty(reconciler.Round([3], new HashSet<ulong>(), Round(2))); // missing again (ended, release lost): a new grace period
        Assert.Empty(reconciler.Round([3], new HashSet<ulong>(), Round(3)));
        Assert.Equal([3ul], reconciler.Round([3], new HashSet<ulong>(), Round(4)));
    }

    [Fact]
    public void A_lease_released_meanwhile_is_forgotten()
    {
        var reconciler = new LeaseReconciler(Options);
        reconciler.Round([4], new HashSet<ulong>(), Round(0));
        Assert.Empty(reconciler.Round([], new HashSet<ulong>(), Round(1))); // the release arrived
        Assert.Equal(0, reconciler.Suspects);
        Assert.Empty(reconciler.Round([4], new HashSet<ulong>(), Round(2))); // held again (a retry): starts over
    }

    [Fact]
    public void At_most_a_batch_is_freed_per_round_the_longest_missing_first()
    {
        var reconciler = new LeaseReconciler(Options with { Batch = 2 });
        reconciler.Round([1], new HashSet<ulong>(), Round(0));
        reconciler.Round([1, 2, 3, 4], new HashSet<ulong>(), Round(1));
        Assert.Equal([1ul], reconciler.Round([1, 2, 3, 4], new HashSet<ulong>(), Round(2))); // only 1 is 10 min missing
        var next = reconciler.Round([2, 3, 4], new HashSet<ulong>(), Round(3));
        Assert.Equal(2, next.Count);
        Assert.Equal(1, reconciler.Suspects);
        Assert.Single(reconciler.Round(new ulong[] { 2, 3, 4 }.Except(next), new HashSet<ulong>(), Round(4)));
        Assert.Equal(0, reconciler.Suspects);
    }

    [Fact]
    public void The_grace_is_measured_from_the_read_that_first_missed_it_so_a_longer_pause_frees_at_once()
    {
        var reconciler = new LeaseReconciler(Options);
        reconciler.Round([9], new HashSet<ulong>(), T0);
        // A read that failed in between (no round) does not reset the suspicion.
        Assert.Equal([9ul], reconciler.Round([9], new HashSet<ulong>(), T0 + TimeSpan.FromMinutes(12)));
    }
}
