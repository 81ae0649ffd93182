namespace WellWon.Grains.Tests;

/// <summary>
/// A clock that moves only when the test moves it. <see cref="OnRead"/> runs on every read, so a test can advance the
/// clock from inside a caller that is polling it, without threads or sleeps.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;
    private long _reads;

    /// <summary>Called (under no lock) with this provider before each read returns.</summary>
    public Action<ManualTimeProvider>? OnRead { get; set; }

    public long Reads => Interlocked.Read(ref _reads);

    public override DateTimeOffset GetUtcNow()
    {
        Interlocked.Increment(ref _reads);
        OnRead?.Invoke(this);
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public void Set(DateTimeOffset now)
    {
        lock (_lock)
        {
            _now = now;
        }
    }
}
