using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IReadPositionStore"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryReadPositionStore(InMemoryStoreMetrics? metrics = null) : IReadPositionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<Guid, long>> _byUser = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<long> AdvanceAsync(Guid channelId, Guid userId, long messageId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageId);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out var channels))
            {
                _byUser[userId] = channels = [];
            }

            if (!channels.TryGetValue(channelId, out var current) || messageId > current)
            {
                channels[channelId] = current = messageId;
            }

            return current;
        }
    }

    /// <inheritdoc />
    public async Task<long?> GetAsync(Guid channelId, Guid userId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _byUser.TryGetValue(userId, out var channels) && channels.TryGetValue(channelId, out var position)
                ? position
                : null;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReadPosition>> GetForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _byUser.TryGetValue(userId, out var channels)
                ? channels.Select(c => new ReadPosition(c.Key, userId, c.Value)).ToArray()
                : [];
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IReadPositionStore), operation, cancellationToken);
}
