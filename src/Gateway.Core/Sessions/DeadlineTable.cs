namespace Gateway.Core.Sessions;

/// <summary>
/// The pending timers of one IKE SA actor (the machine's keys and the actor's own) as key → due time on a monotonic
/// clock, so the actor needs a single scheduler entry, for the earliest. An idle tunnel has a handful of timers
/// (rekeys, lifetimes, liveness, the counter poll); one scheduler entry each cost about 400 bytes per tunnel. A few
/// entries in a list are smaller than a dictionary and as fast at this size. Not thread-safe (one actor's state).
/// </summary>
public sealed class DeadlineTable
{
    private readonly List<(string Key, TimeSpan Due)> _entries = new(4);

    public int Count => _entries.Count;

    /// <summary>The earliest due time, or null when nothing is pending.</summary>
    public TimeSpan? Earliest
    {
        get
        {
            TimeSpan? earliest = null;
            foreach (var (_, due) in _entries)
                if (earliest is null || due < earliest)
                    earliest = due;
            return earliest;
        }
    }

    /// <summary>Starts or restarts <paramref name="key"/> (at most one deadline per key, like a keyed timer).</summary>
    public void Set(string key, TimeSpan due)
    {
        int i = IndexOf(key);
        if (i >= 0)
            _entries[i] = (key, due);
        else
            _entries.Add((key, due));
    }

    /// <summary>Cancels <paramref name="key"/>; nothing happens when it is not pending.</summary>
    public void Cancel(string key)
    {
        int i = IndexOf(key);
        if (i >= 0)
            _entries.RemoveAt(i);
    }

    public bool IsPending(string key) => IndexOf(key) >= 0;

    /// <summary>
    /// Removes and returns the earliest key due at <paramref name="now"/>, or null. One at a time, because handling a
    /// fired key may set or cancel others (a cancelled timer must not fire afterwards).
    /// </summary>
    public string? TakeDue(TimeSpan now)
    {
        int best = -1;
        for (int i = 0; i < _entries.Count; i++)
            if (_entries[i].Due <= now && (best < 0 || _entries[i].Due < _entries[best].Due))
                best = i;
        if (best < 0)
            return null;
        var key = _entries[best].Key;
        _entries.RemoveAt(best);
        return key;
    }

    private int IndexOf(string key)
    {
        for (int i = 0; i < _entries.Count; i++)
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
                return i;
        return -1;
    }
}
