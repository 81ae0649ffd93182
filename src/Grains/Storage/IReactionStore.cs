namespace WellWon.Grains.Storage;

/// <summary>
/// Reactions per (message, emoji, user) and their counts (ScyllaDB <c>message_reactions</c> and the
/// <c>message_reaction_counts</c> counters). A user reacts at most once per emoji: adding twice or removing what is
/// not there changes nothing, so counters never drift.
/// </summary>
public interface IReactionStore
{
    /// <summary>Adds a user's reaction; false (and no change) when it was already there.</summary>
    Task<bool> AddAsync(Guid channelId, long messageId, string emoji, Guid userId, CancellationToken cancellationToken);

    /// <summary>Removes a user's reaction; false (and no change) when it was not there.</summary>
    Task<bool> RemoveAsync(Guid channelId, long messageId, string emoji, Guid userId, CancellationToken cancellationToken);

    /// <summary>
    /// Each emoji with at least one reaction on the message, ordered by emoji (ordinal), with whether
    /// <paramref name="viewerId"/> reacted with it.
    /// </summary>
    Task<IReadOnlyList<ReactionCount>> GetCountsAsync(Guid channelId, long messageId, Guid viewerId, CancellationToken cancellationToken);
}
