namespace WellWon.Grains.Domain;

/// <summary>
/// Issues Snowflake IDs for one worker: strictly increasing, at most 4096 per millisecond (then it waits for the
/// clock's next millisecond), and never reusing an ID after a clock step backwards or a restart that passes the
/// previous <see cref="HighWaterMark"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Time comes only from the <see cref="TimeProvider"/>, and waiting is done by polling it, so a test clock drives
/// the generator deterministically. When the clock is behind the last issued millisecond (a step backwards, or a
/// high-water mark leased ahead of the clock), the generator keeps issuing from its logical millisecond and moves that
/// forward itself when the sequence is exhausted, rather than stalling until the wall clock catches up.
/// </remarks>
public sealed class SnowflakeGenerator
{
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private long _lastTimestamp;
    private int _lastSequence;

    /// <summary>Creates a generator.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="workerId">This worker's ID, 0..1023, unique among live workers.</param>
    /// <param name="highWaterMark">
    /// The largest millisecond (since <see cref="Snowflake.Epoch"/>) in which this worker ID may already have issued
    /// IDs, e.g. a previous incarnation's persisted <see cref="HighWaterMark"/>; every ID this instance issues has a
    /// strictly later timestamp. -1 when the worker ID has never been used.
    /// </param>
    public SnowflakeGenerator(TimeProvider timeProvider, int workerId, long highWaterMark = -1)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workerId, Snowflake.MaxWorkerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(highWaterMark, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(highWaterMark, Snowflake.MaxTimestamp);
        _timeProvider = timeProvider;
        WorkerId = workerId;
        _lastTimestamp = highWaterMark;

        // The high-water millisecond counts as fully used, so the first ID moves past it.
        _lastSequence = Snowflake.MaxSequence;
    }

    /// <summary>The worker ID stamped into every ID.</summary>
    public int WorkerId { get; }

    /// <summary>
    /// The largest millisecond in which this instance (or, before any ID, its predecessor) issued an ID. Persist it, or
    /// lease ahead of it, and hand it to the next incarnation of this worker so it never reissues.
    /// </summary>
    public long HighWaterMark
    {
        get
        {
            lock (_lock)
            {
                return _lastTimestamp;
            }
        }
    }

    /// <summary>Issues the next ID.</summary>
    /// <param name="cancellationToken">Stops a wait for the next millisecond.</param>
    /// <exception cref="InvalidOperationException">The timestamp range (until 2093-09-06) is exhausted.</exception>
    public long NextId(CancellationToken cancellationToken = default) => NextId(-1, cancellationToken);

    /// <summary>
    /// Issues the next ID, whose timestamp is at least <paramref name="notBeforeTimestamp"/> (milliseconds since the
    /// epoch): the generator treats its clock as no earlier than that. The channel grain uses it so that a message sent
    /// after a membership change is never stamped before that change, even when the clock stepped back.
    /// </summary>
    /// <param name="notBeforeTimestamp">The earliest timestamp the ID may carry; -1 for none.</param>
    /// <param name="cancellationToken">Stops a wait for the next millisecond.</param>
    /// <exception cref="InvalidOperationException">The timestamp range (until 2093-09-06) is exhausted.</exception>
    public long NextId(long notBeforeTimestamp, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(notBeforeTimestamp, Snowflake.MaxTimestamp);
        lock (_lock)
        {
            var clock = CurrentTimestamp();
            var now = Math.Max(clock, notBeforeTimestamp);
            if (now > _lastTimestamp)
            {
                _lastTimestamp = now;
                _lastSequence = 0;
            }
            else if (_lastSequence < Snowflake.MaxSequence)
            {
                // Same millisecond, or the clock is behind: borrow the next sequence number of the logical millisecond.
                _lastSequence++;
            }
            else if (clock == _lastTimestamp)
            {
                // Holding the lock while waiting is deliberate: every other caller would wait for the same millisecond.
                now = WaitForNextMillisecond(cancellationToken);
                _lastTimestamp = now;
                _lastSequence = 0;
            }
            else
            {
                // The clock is behind and this logical millisecond is used up: advance it rather than reuse anything.
                _lastTimestamp++;
                _lastSequence = 0;
            }

            if (_lastTimestamp > Snowflake.MaxTimestamp)
            {
                throw new InvalidOperationException("The Snowflake timestamp range is exhausted.");
            }

            return Snowflake.Create(_lastTimestamp, WorkerId, _lastSequence);
        }
    }

    private long CurrentTimestamp() => Math.Max(0, Snowflake.ToTimestamp(_timeProvider.GetUtcNow()));

    private long WaitForNextMillisecond(CancellationToken cancellationToken)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var now = CurrentTimestamp();
            if (now > _lastTimestamp)
            {
                return now;
            }

            cancellationToken.ThrowIfCancellationRequested();

            // No Thread.Sleep(1): the wait is under a millisecond with a real clock, and a test clock must not be slept on.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
