using Akka.Actor;
using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

// The timers of one IKE SA (the machine's keys, the half-open bound, the counter poll) in a DeadlineTable, and a
// single Akka timer for the earliest of them: one scheduler entry per tunnel instead of one per key. Due times are
// on the scheduler's monotonic clock, like Akka's own timers; the machine's clock (_deps.Clock) only stamps inputs.
public sealed partial class IkeSaActor
{
    /// <summary>The actor's own keys; the machine's keys are plain words ("liveness", "child-soft:…"), never '#…'.</summary>
    private const string HalfOpenBoundKey = "#half-open-bound";

    private const string CounterPollKey = "#counter-poll";

    private sealed record DeadlineDue
    {
        public static readonly DeadlineDue Instance = new();
    }

    private readonly DeadlineTable _deadlines = new();

    /// <summary>The due time the Akka timer is set for; null when it is not set.</summary>
    private TimeSpan? _schedulerSetFor;

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan Monotonic => Context.System.Scheduler.MonotonicClock;

    /// <summary>Sets a deadline; <see cref="RearmScheduler"/> afterwards (once per batch of changes).</summary>
    private void Arm(string key, TimeSpan after) => _deadlines.Set(key, Monotonic + after);

    /// <summary>Points the single Akka timer at the earliest deadline (or stops it when none is left).</summary>
    private void RearmScheduler()
    {
        var earliest = _deadlines.Earliest;
        if (earliest == _schedulerSetFor)
            return;
        _schedulerSetFor = earliest;
        if (earliest is { } due)
        {
            var delay = due - Monotonic;
            Timers.StartSingleTimer(DeadlineDue.Instance, DeadlineDue.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else
            Timers.Cancel(DeadlineDue.Instance);
    }

    private void OnDeadlineDue()
    {
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
