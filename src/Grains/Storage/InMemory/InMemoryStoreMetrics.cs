using System.Collections.Concurrent;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>
/// Counts the queries the in-memory stores receive, per port and per operation, and lets a test hold queries at a
/// gate. Tests use it to prove what a grain does to its stores, e.g. that concurrent identical reads share one query.
/// One instance may be shared by several stores.
/// </summary>
public sealed class InMemoryStoreMetrics
{
    private readonly ConcurrentDictionary<(string Port, string Operation), StrongBox> _counts = new();

    /// <summary>
    /// Runs at the start of every store call, after it is counted and before it touches data: a test can make it
    /// wait (to hold a query in flight while more callers arrive) or throw (to simulate a store outage).
    /// </summary>
    public Func<string, string, CancellationToken, ValueTask>? Interceptor { get; set; }

    /// <summary>Every call to every store.</summary>
    public long Total => _counts.Values.Sum(c => Interlocked.Read(ref c.Value));

    /// <summary>Calls to one port (e.g. <c>nameof(IMessageStore)</c>).</summary>
    public long Count(string port) =>
        _counts.Where(c => c.Key.Port == port).Sum(c => Interlocked.Read(ref c.Value.Value));

    /// <summary>Calls to one operation of one port (e.g. <c>nameof(IMessageStore)</c>, <c>nameof(IMessageStore.ReadBucketAsync)</c>).</summary>
    public long Count(string port, string operation) =>
        _counts.TryGetValue((port, operation), out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>A copy of all counts, keyed "Port.Operation".</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        _counts.ToDictionary(c => $"{c.Key.Port}.{c.Key.Operation}", c => Interlocked.Read(ref c.Value.Value), StringComparer.Ordinal);

    /// <summary>Sets every count back to zero.</summary>
    public void Reset()
    {
        foreach (var box in _counts.Values)
        {
            Interlocked.Exchange(ref box.Value, 0);
        }
    }

    internal ValueTask EnterAsync(string port, string operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _counts.GetOrAdd((port, operation), static _ => new StrongBox()).Value);
        return Interceptor is { } interceptor ? interceptor(port, operation, cancellationToken) : ValueTask.CompletedTask;
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
