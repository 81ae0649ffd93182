namespace WellWon.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test says so, so no test sleeps to
/// wait for time to pass.
/// </summary>
/// <remarks>
/// Two clocks are kept, as on a real machine: the wall clock (<see cref="UtcNow"/>) and the
/// monotonic clock behind <see cref="GetTimestamp"/>. <see cref="Advance"/> moves both; setting
/// <see cref="UtcNow"/> moves only the wall clock (like an NTP adjustment, it may go backwards)
/// and fires no timers, because timers run on monotonic time.
/// Timers fire synchronously on the thread that calls <see cref="Advance"/>, in due-time order
/// (ties in creation/rescheduling order), with the clock set to each timer's due time while its
/// callback runs. A timer created with a zero due time fires on the next <see cref="Advance"/>,
/// including <c>Advance(TimeSpan.Zero)</c>. An exception thrown by a callback propagates out of
/// <see cref="Advance"/>; the timers still due then fire on the next call.
/// All members are thread-safe; concurrent <see cref="Advance"/> calls are serialized.
/// </remarks>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>The wall-clock start used when none is given: a fixed instant, so test output is reproducible.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Guards the clocks and the timer queue; never held while a callback runs, so callbacks may
    // create, change or dispose timers and read the time.
    private readonly object _lock = new();

    // Held for a whole Advance so two threads cannot interleave their timer firings. Monitor is
    // reentrant: a callback may itself call Advance.
    private readonly object _advanceLock = new();

    private readonly SortedSet<ManualTimer> _queue = new(DueOrder.Instance);
    private DateTimeOffset _utcNow;
    private long _ticks;
    private long _nextSequence;

    /// <summary>Creates a provider whose wall clock starts at <see cref="DefaultStart"/>.</summary>
    public ManualTimeProvider()
        : this(DefaultStart)
    {
    }

    /// <summary>Creates a provider whose wall clock starts at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset start)
    {
        _utcNow = start.ToUniversalTime();
    }

    /// <summary>The wall clock. Setting it jumps the wall clock only: monotonic time and timers are unaffected.</summary>
    public DateTimeOffset UtcNow
    {
        get
        {
            lock (_lock)
            {
                return _utcNow;
            }
        }
        set
        {
            lock (_lock)
            {
                _utcNow = value.ToUniversalTime();
            }
        }
    }

    /// <summary>Monotonic time elapsed since the provider was created, as moved by <see cref="Advance"/>.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromTicks(_ticks);
            }
        }
    }

    /// <summary>Timers that are started and not disposed (for assertions about leaks).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => UtcNow;

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    /// <summary>
    /// Moves both clocks forward by <paramref name="delta"/>, firing every timer that falls due on
    /// the way, each at its own due time and in order; a periodic timer fires once per period crossed.
    /// </summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_advanceLock)
        {
            long target;
            lock (_lock)
            {
                target = _ticks + delta.Ticks;
            }

            while (true)
            {
                ManualTimer timer;
                lock (_lock)
                {
                    // A callback that advanced the clock itself may already have passed target.
                    if (_queue.Count == 0 || _queue.Min!.DueTicks > target)
                    {
                        MoveTo(Math.Max(target, _ticks));
                        return;
                    }

                    timer = _queue.Min;
                    _queue.Remove(timer);
                    MoveTo(Math.Max(timer.DueTicks, _ticks));
                    if (timer.PeriodTicks > 0)
                    {
                        timer.DueTicks += timer.PeriodTicks;
                        timer.Sequence = _nextSequence++;
                        _queue.Add(timer);
                    }
                    else
                    {
                        timer.Scheduled = false;
                    }
                }

                timer.Fire();
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    // Caller holds _lock.
    private void MoveTo(long ticks)
    {
        _utcNow += TimeSpan.FromTicks(ticks - _ticks);
        _ticks = ticks;
    }

    private bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var due = ToTicks(dueTime, nameof(dueTime));
        var every = ToTicks(period, nameof(period));
        lock (_lock)
        {
            if (timer.Disposed)
            {
                return false;
            }

            if (timer.Scheduled)
            {
                _queue.Remove(timer);
                timer.Scheduled = false;
            }

            // Same contract as System.Threading.Timer: an infinite due time stops the timer, and
            // an infinite or zero period makes it fire once.
            if (due < 0)
            {
                return true;
            }

            timer.DueTicks = _ticks + due;
            timer.PeriodTicks = every > 0 ? every : 0;
            timer.Sequence = _nextSequence++;
            timer.Scheduled = true;
            _queue.Add(timer);
            return true;
        }
    }

    private void Dispose(ManualTimer timer)
    {
        lock (_lock)
        {
            if (timer.Scheduled)
            {
                _queue.Remove(timer);
                timer.Scheduled = false;
            }

            timer.Disposed = true;
        }
    }

    private static long ToTicks(TimeSpan value, string name)
    {
        if (value == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be non-negative or Timeout.InfiniteTimeSpan.");
        }

        return value.Ticks;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        // Mutated only under owner._lock; the sorted set's order depends on DueTicks and Sequence,
        // so they change only while the timer is out of the set.
        public long DueTicks;
        public long PeriodTicks;
        public long Sequence;
        public bool Scheduled;
        public bool Disposed;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Dispose() => owner.Dispose(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class DueOrder : IComparer<ManualTimer>
    {
        public static readonly DueOrder Instance = new();

        public int Compare(ManualTimer? x, ManualTimer? y)
        {
            var byDue = x!.DueTicks.CompareTo(y!.DueTicks);
            return byDue != 0 ? byDue : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
