using System.Collections.Concurrent;

namespace WellWon.Runtime.Transport;

/// <summary>
/// Matches responses to requests by correlation ID, for a layer that sends <see cref="FrameKind.Request"/>
/// frames and awaits the <see cref="FrameKind.Response"/> carrying the same ID. Thread-safe.
/// </summary>
/// <typeparam name="T">What a response completes the waiting request with (typically <see cref="Frame"/>).</typeparam>
public sealed class CorrelationTable<T>
{
    private readonly ConcurrentDictionary<long, Entry> _pending = new();
    private long _lastId;

    /// <summary>Requests registered and not yet completed, failed or canceled.</summary>
    public int Count => _pending.Count;

    /// <summary>A fresh correlation ID, unique for this table (never 0, which marks "no correlation").</summary>
    public long NextId() => Interlocked.Increment(ref _lastId);

    /// <summary>
    /// Registers a request under <paramref name="id"/>; the task completes with the matching response,
    /// fails via <see cref="TryFail"/>/<see cref="FailAll"/>, or is canceled by <paramref name="cancellationToken"/>
    /// (the runtime passes its call deadline here).
    /// </summary>
    public Task<T> Register(long id, CancellationToken cancellationToken)
    {
        var entry = new Entry();
        if (!_pending.TryAdd(id, entry))
        {
            throw new InvalidOperationException($"Correlation ID {id} is already pending.");
        }

        if (cancellationToken.CanBeCanceled)
        {
            entry.Registration = cancellationToken.Register(() =>
            {
                if (_pending.TryRemove(id, out var e))
                {
                    e.Completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        return entry.Completion.Task;
    }

    /// <summary>Completes the request <paramref name="id"/>; <see langword="false"/> if none is pending (late or duplicate response).</summary>
    public bool TryComplete(long id, T result)
    {
        if (!_pending.TryRemove(id, out var entry))
        {
            return false;
        }

        entry.Registration.Dispose();
        return entry.Completion.TrySetResult(result);
    }

    /// <summary>Fails the request <paramref name="id"/>; <see langword="false"/> if none is pending.</summary>
    public bool TryFail(long id, Exception error)
    {
        if (!_pending.TryRemove(id, out var entry))
        {
            return false;
        }

        entry.Registration.Dispose();
        return entry.Completion.TrySetException(error);
    }

    /// <summary>Fails every pending request (the connection they were sent on closed).</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            TryFail(id, error);
        }
    }

    private sealed class Entry
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
