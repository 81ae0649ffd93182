using WellWon.Grains.Domain;
using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IMessageStore"/> for development and tests. Thread-safe.</summary>
/// <remarks>Rows are immutable records, so handing out the stored instance cannot let a caller change the store.</remarks>
public sealed class InMemoryMessageStore(InMemoryStoreMetrics? metrics = null) : IMessageStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(Guid Channel, int Bucket), SortedList<long, MessageRecord>> _buckets = [];
    private readonly Dictionary<(Guid Channel, Guid Author, string Nonce), long> _nonces = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task InsertAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (message.Nonce is { } nonce)
            {
                _nonces.TryAdd((message.ChannelId, message.AuthorId, nonce), message.MessageId);
            }

            var key = (message.ChannelId, message.Bucket);
            if (!_buckets.TryGetValue(key, out var rows))
            {
                _buckets[key] = rows = [];
            }

            rows[message.MessageId] = message;
        }
    }

    /// <inheritdoc />
    public async Task<MessageRecord?> GetAsync(Guid channelId, long messageId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (messageId < 0)
        {
            return null;
        }

        lock (_lock)
        {
            return Find(channelId, messageId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageRecord>> ReadBucketAsync(
        Guid channelId,
        int bucket,
        long? before,
        long? after,
        int limit,
        PageOrder order,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (limit == 0 || !_buckets.TryGetValue((channelId, bucket), out var rows))
            {
                return [];
            }

            if (after == long.MaxValue)
            {
                return [];
            }

            // [lo, hi) is the index range of after < id < before.
            var keys = rows.Keys;
            var lo = after is { } a ? SortedKeys.LowerBound(keys, a + 1) : 0;
            var hi = before is { } b ? SortedKeys.LowerBound(keys, b) : keys.Count;
            var result = new List<MessageRecord>(Math.Min(limit, Math.Max(0, hi - lo)));
            if (order == PageOrder.NewestFirst)
            {
                for (var i = hi - 1; i >= lo && result.Count < limit; i--)
                {
                    result.Add(rows.Values[i]);
                }
            }
            else
            {
                for (var i = lo; i < hi && result.Count < limit; i++)
                {
                    result.Add(rows.Values[i]);
                }
            }

            return result.ToArray();
        }
    }

    /// <inheritdoc />
    public async Task<bool> UpdateContentAsync(Guid channelId, long messageId, string content, DateTimeOffset editedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return Replace(channelId, messageId, m => m with { Content = content, EditedAt = editedAt });
        }
    }

    /// <inheritdoc />
    public async Task<bool> SoftDeleteAsync(Guid channelId, long messageId, string placeholderContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(placeholderContent);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return Replace(channelId, messageId, m => m with { Content = placeholderContent, Deleted = true });
        }
    }

    /// <inheritdoc />
    public async Task<long?> FindByNonceAsync(Guid channelId, Guid authorId, string nonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _nonces.TryGetValue((channelId, authorId, nonce), out var id) ? id : null;
        }
    }

    private MessageRecord? Find(Guid channelId, long messageId) =>
        messageId >= 0
        && _buckets.TryGetValue((channelId, Domain.Buckets.Of(messageId)), out var rows)
        && rows.TryGetValue(messageId, out var message)
            ? message
            : null;

    private bool Replace(Guid channelId, long messageId, Func<MessageRecord, MessageRecord> change)
    {
        if (Find(channelId, messageId) is not { } message)
        {
            return false;
        }

        _buckets[(channelId, message.Bucket)][messageId] = change(message);
        return true;
    }


    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IMessageStore), operation, cancellationToken);
}
