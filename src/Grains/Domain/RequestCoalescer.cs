namespace WellWon.Grains.Domain;

/// <summary>
/// Single-flight: concurrent requests for the same key share one execution of the work and its result. A request that
/// arrives after the shared work finished starts new work, so coalescing never serves a stale result; it only merges
/// requests that overlap in time. Thread-safe.
/// </summary>
/// <remarks>
/// For a channel grain this needs the reading method to interleave (<c>[ReadOnly]</c> or <c>[AlwaysInterleave]</c>):
/// a caller that waits for its turn arrives after the shared work is over and coalesces nothing.
/// </remarks>
public sealed class RequestCoalescer<TKey, TResult>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, Task<TResult>> _inFlight;

    /// <summary>Creates a coalescer.</summary>
    public RequestCoalescer(IEqualityComparer<TKey>? comparer = null) => _inFlight = new Dictionary<TKey, Task<TResult>>(comparer);

    /// <summary>Keys with work in flight right now.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Joins the work in flight for <paramref name="key"/>, or starts <paramref name="work"/> if there is none. The
    /// work runs without any caller's token, since one caller giving up must not fail the others; a caller's
    /// <paramref name="cancellationToken"/> only stops its own wait. A failure reaches every caller that shared the
    /// work, and the next request starts afresh.
    /// </summary>
    public Task<TResult> RunAsync(TKey key, Func<TKey, Task<TResult>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        TaskCompletionSource<TResult> owner;
        lock (_lock)
        {
            if (_inFlight.TryGetValue(key, out var shared))
            {
                return shared.WaitAsync(cancellationToken);
            }

            // Registered before the work starts, so work that completes synchronously still removes its own entry.
            owner = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[key] = owner.Task;
        }

        _ = RunSharedAsync(key, work, owner);
        return owner.Task.WaitAsync(cancellationToken);
    }

    private async Task RunSharedAsync(TKey key, Func<TKey, Task<TResult>> work, TaskCompletionSource<TResult> owner)
    {
        try
        {
            var result = await work(key).ConfigureAwait(false);
            Complete(key, owner);
            owner.SetResult(result);
        }
#pragma warning disable CA1031 // Every failure belongs to the waiting callers, not to this background continuation.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Complete(key, owner);
            if (ex is OperationCanceledException oce)
            {
                owner.SetCanceled(oce.CancellationToken);
            }
            else
            {
                owner.SetException(ex);
            }
        }
    }

    private void Complete(TKey key, TaskCompletionSource<TResult> owner)
    {
        lock (_lock)
        {
            if (_inFlight.TryGetValue(key, out var current) && current == owner.Task)
            {
                _inFlight.Remove(key);
            }
        }
    }
}
