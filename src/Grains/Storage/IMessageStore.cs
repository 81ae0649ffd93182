namespace WellWon.Grains.Storage;

/// <summary>
/// Messages of channels, partitioned by (channel, bucket) and ordered by message ID, as in the ScyllaDB
/// <c>messages</c> table, plus the (channel, author, nonce) -> message ID mapping that makes sends idempotent.
/// </summary>
/// <remarks>
/// The port stores; the channel grain (the single writer of a channel) enforces every rule: who may edit, what a
/// deleted message shows, visibility windows. A message's bucket is always <c>Buckets.Of(messageId)</c>; callers
/// record non-empty buckets in <see cref="IBucketIndex"/> before inserting.
/// </remarks>
public interface IMessageStore
{
    /// <summary>
    /// Writes a message. When it carries a nonce, the nonce mapping is written first (an existing mapping keeps its
    /// original message ID), so a crash in between leaves a mapping to a missing row, which a retry can repair by
    /// writing that ID, never a row a retry would duplicate. Writing an existing ID again replaces the row.
    /// </summary>
    Task InsertAsync(MessageRecord message, CancellationToken cancellationToken);

    /// <summary>One message, or null when the channel has no message with this ID.</summary>
    Task<MessageRecord?> GetAsync(Guid channelId, long messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> messages of one bucket with <c>after &lt; id &lt; before</c> (both bounds
    /// exclusive and optional), nearest <paramref name="before"/> first for <see cref="PageOrder.NewestFirst"/> and
    /// nearest <paramref name="after"/> first for <see cref="PageOrder.OldestFirst"/>. Soft-deleted messages are
    /// included. An empty or unknown bucket gives an empty list.
    /// </summary>
    Task<IReadOnlyList<MessageRecord>> ReadBucketAsync(
        Guid channelId,
        int bucket,
        long? before,
        long? after,
        int limit,
        PageOrder order,
        CancellationToken cancellationToken);

    /// <summary>Replaces a message's content and sets its edit time; false when there is no such message.</summary>
    Task<bool> UpdateContentAsync(Guid channelId, long messageId, string content, DateTimeOffset editedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a message deleted and replaces its content with <paramref name="placeholderContent"/>, keeping the row
    /// and its place; false when there is no such message.
    /// </summary>
    Task<bool> SoftDeleteAsync(Guid channelId, long messageId, string placeholderContent, CancellationToken cancellationToken);

    /// <summary>The message ID first written with this (channel, author, nonce), or null.</summary>
    Task<long?> FindByNonceAsync(Guid channelId, Guid authorId, string nonce, CancellationToken cancellationToken);
}
