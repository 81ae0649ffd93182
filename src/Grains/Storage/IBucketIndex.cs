namespace WellWon.Grains.Storage;

/// <summary>
/// The non-empty message buckets of each channel (ScyllaDB <c>channel_metadata</c>), so a history read jumps straight
/// to buckets that hold messages and a quiet channel costs O(1) queries instead of one per empty 10-day window.
/// </summary>
public interface IBucketIndex
{
    /// <summary>
    /// Records that a bucket of a channel holds messages. Idempotent. Call it before inserting the bucket's first
    /// message, so no stored message is ever missing from the index.
    /// </summary>
    Task AddAsync(Guid channelId, int bucket, CancellationToken cancellationToken);

    /// <summary>The channel's non-empty buckets, newest (largest) first; empty for an unknown channel.</summary>
    Task<IReadOnlyList<int>> GetAsync(Guid channelId, CancellationToken cancellationToken);
}
