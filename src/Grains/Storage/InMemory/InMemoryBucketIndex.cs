using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IBucketIndex"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryBucketIndex(InMemoryStoreMetrics? metrics = null) : IBucketIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, SortedSet<int>> _buckets = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task AddAsync(Guid channelId, int bucket, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_buckets.TryGetValue(channelId, out var set))
            {
                _buckets[channelId] = set = [];
            }

            set.Add(bucket);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> GetAsync(Guid channelId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _buckets.TryGetValue(channelId, out var set) ? set.Reverse().ToArray() : [];
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IBucketIndex), operation, cancellationToken);
}
