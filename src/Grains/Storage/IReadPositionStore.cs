namespace WellWon.Grains.Storage;

/// <summary>Read positions per (channel, user) (ScyllaDB <c>message_read_positions</c>).</summary>
public interface IReadPositionStore
{
    /// <summary>
    /// Moves the user's position to <paramref name="messageId"/> if that is later than the stored one (positions only
    /// move forward, even when two writers race) and returns the resulting position.
    /// </summary>
    Task<long> AdvanceAsync(Guid channelId, Guid userId, long messageId, CancellationToken cancellationToken);

    /// <summary>The user's position in a channel, or null when they have read nothing.</summary>
    Task<long?> GetAsync(Guid channelId, Guid userId, CancellationToken cancellationToken);

    /// <summary>All of a user's positions, in no particular order (for the channel list's unread counts).</summary>
    Task<IReadOnlyList<ReadPosition>> GetForUserAsync(Guid userId, CancellationToken cancellationToken);
}
