using Akka.Actor;
using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

// The timers of one IKE SA (the machine's keys, the half-open bound, the counter poll) in a DeadlineTable, and a
// single scheduler entry for the earliest of them: one per tunnel instead of one per key. It is scheduled on Akka's
// scheduler directly rather than through IWithTimers, whose per-actor timer table, timer and message records were
// about 300 bytes of every tunnel; a generation number drops a message of a timer cancelled after it was sent, as
// Akka's timers do. Due times are on the scheduler's monotonic clock; the machine's clock (_deps.Clock) only stamps
// inputs.
public sealed partial class IkeSaActor
{
    /// <summary>The actor's own keys; the machine's keys are plain words ("liveness", "child-soft:…"), never '#…'.</summary>
    private const string HalfOpenBoundKey = "#half-open-bound";

    private const string CounterPollKey = "#counter-poll";

    private sealed record DeadlineDue(int Generation);

    private readonly DeadlineTable _deadlines = new();

    /// <summary>The due time the scheduler entry is set for; null when it is not set.</summary>
    private TimeSpan? _schedulerSetFor;

    private ICancelable? _schedulerEntry;
    private int _schedulerGeneration; // of the entry set last; a DeadlineDue of another is stale

    private TimeSpan Monotonic => Context.System.Scheduler.MonotonicClock;

    /// <summary>Sets a deadline; <see cref="RearmScheduler"/> afterwards (once per batch of changes).</summary>
    private void Arm(string key, TimeSpan after) => _deadlines.Set(key, Monotonic + after);

    /// <summary>Points the single scheduler entry at the earliest deadline (or cancels it when none is left).</summary>
    private void RearmScheduler()
    {
        var earliest = _deadlines.Earliest;
        if (earliest == _schedulerSetFor)
            return;
        _schedulerSetFor = earliest;
        CancelScheduler();
        if (earliest is { } due)
        {
            var delay = due - Monotonic;
            _schedulerEntry = Context.System.Scheduler.ScheduleTellOnceCancelable(delay > TimeSpan.Zero ? delay : TimeSpan.Zero,
                Self, new DeadlineDue(_schedulerGeneration), Self);
        }
    }

    /// <summary>Cancels the scheduler entry; a message it already sent is stale from now on.</summary>
    private void CancelScheduler()
    {
        _schedulerEntry?.Cancel();
        _schedulerEntry = null;
        _schedulerGeneration++;
    }

    private void OnDeadlineDue(DeadlineDue due)
    {
        if (due.Generation != _schedulerGeneration)
            return; // its entry was cancelled or replaced after it was sent
        _schedulerEntry = null;
        _schedulerSetFor = null;
        // One key at a time: what a fired key does may set or cancel the others.
        while (!_ending && _deadlines.TakeDue(Monotonic) is { } key)
            Fire(key);
        if (!_ending)
            RearmScheduler();
    }

    private void Fire(string key)
    {
        switch (key)
        {
            case HalfOpenBoundKey:
                OnHalfOpenExpired();
                break;
            case CounterPollKey:
                Arm(CounterPollKey, _deps.CounterPollInterval);
                FeedCounters();
                break;
            default:
                // Fresh ESP activity first, so a peer that sends traffic is not probed for nothing.
                if (key == ResponderOptions.LivenessTimerKey)
                    FeedCounters();
                if (!_ending)
                    Step(new TimerFired(key, Now));
                break;
        }
    }
}
