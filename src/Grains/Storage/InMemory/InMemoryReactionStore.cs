using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IReactionStore"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryReactionStore(InMemoryStoreMetrics? metrics = null) : IReactionStore
{
    private readonly Lock _lock = new();

    // Emoji -> users per message; counts are the set sizes, so they cannot drift from the per-user rows.
    private readonly Dictionary<(Guid Channel, long Message), SortedDictionary<string, HashSet<Guid>>> _reactions = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<bool> AddAsync(Guid channelId, long messageId, string emoji, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(emoji);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_reactions.TryGetValue((channelId, messageId), out var byEmoji))
            {
                _reactions[(channelId, messageId)] = byEmoji = new SortedDictionary<string, HashSet<Guid>>(StringComparer.Ordinal);
            }

            if (!byEmoji.TryGetValue(emoji, out var users))
            {
                byEmoji[emoji] = users = [];
            }

            return users.Add(userId);
        }
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(Guid channelId, long messageId, string emoji, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(emoji);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_reactions.TryGetValue((channelId, messageId), out var byEmoji)
                || !byEmoji.TryGetValue(emoji, out var users)
                || !users.Remove(userId))
            {
                return false;
            }

            if (users.Count == 0)
            {
                byEmoji.Remove(emoji);
            }

            return true;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReactionCount>> GetCountsAsync(Guid channelId, long messageId, Guid viewerId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _reactions.TryGetValue((channelId, messageId), out var byEmoji)
                ? byEmoji.Select(e => new ReactionCount(e.Key, e.Value.Count, e.Value.Contains(viewerId))).ToArray()
                : [];
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IReactionStore), operation, cancellationToken);
}
