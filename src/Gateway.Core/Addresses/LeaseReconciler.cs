namespace Gateway.Core.Addresses;

/// <summary>How often the address registry compares its leases with the journal's live sessions, and how cautiously.</summary>
/// <param name="Interval">Time between rounds (each reads every live session id from the journal once).</param>
/// <param name="Grace">
/// How long a holder must have been missing from the journal before its lease is freed. It must exceed the time from a
/// grant to the session's first journal write (the IKE_AUTH answer waits for that write; half-open sessions hold no
/// lease), with a wide margin for a slow database.
/// </param>
/// <param name="Batch">Most leases freed per round (one journal write each); a larger backlog drains over the next rounds.</param>
public sealed record LeaseReconcilerOptions(TimeSpan Interval, TimeSpan Grace, int Batch)
{
    public static readonly LeaseReconcilerOptions Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), 1000);
}

/// <summary>
/// Finds leases whose release was lost (a proxy buffer that overflowed while the registry moved, a node that died
/// between a session's end and its release reaching the registry): their sessions are no longer in the journal.
/// Pure (no actors, no clock: times are passed in); the registry runs a round every <see cref="LeaseReconcilerOptions.Interval"/>.
/// <para>A session is certainly gone when it holds a lease but the journal has no live history for it (an ended
/// session's history is deleted) — except a session still being established: it gets its lease during IKE_AUTH,
/// before its first journal write. So a holder missing from a read is only suspected, with the time that read
/// <i>started</i>, and freed once it has been missing from every read since, for at least the grace period. Because
/// the holders are taken when the read starts, a suspect's lease was granted no later than its suspicion began: a
/// lease is never freed younger than the grace period. Only suspects are remembered (none on a healthy cluster), not
/// an age per lease; a registry that moves forgets them and starts over, which only delays a reclaim.</para>
/// Not thread-safe.
/// </summary>
public sealed class LeaseReconciler(LeaseReconcilerOptions options)
{
    private Dictionary<ulong, DateTimeOffset> _missingSince = [];

    /// <summary>Sessions holding a lease and missing from the journal, not yet freed.</summary>
    public int Suspects => _missingSince.Count;

    /// <summary>
    /// One round: <paramref name="holders"/> are the sessions holding leases when the journal read started (at
    /// <paramref name="readStarted"/>), <paramref name="live"/> the sessions it found. Returns the sessions whose
    /// leases to free now, at most <see cref="LeaseReconcilerOptions.Batch"/>, those missing longest first.
    /// </summary>
    public IReadOnlyList<ulong> Round(IEnumerable<ulong> holders, IReadOnlySet<ulong> live, DateTimeOffset readStarted)
    {
        var missing = new Dictionary<ulong, DateTimeOffset>();
        foreach (ulong session in holders)
        {
            if (!live.Contains(session))
                missing[session] = _missingSince.TryGetValue(session, out var since) ? since : readStarted;
        }
        _missingSince = missing; // live again, or no longer holding: no longer suspect

        var due = readStarted - options.Grace;
        var reclaim = missing.Where(m => m.Value <= due)
            .OrderBy(m => m.Value)
            .Take(options.Batch)
            .Select(m => m.Key)
            .ToList();
        foreach (ulong session in reclaim)
            _missingSince.Remove(session);
        return reclaim;
    }
}
