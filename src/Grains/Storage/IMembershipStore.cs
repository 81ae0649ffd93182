using WellWon.Grains.Domain;

namespace WellWon.Grains.Storage;

/// <summary>
/// Channel participants with their membership windows (PostgreSQL <c>chat_participants</c>, one row per window).
/// The membership grain decides who may join or leave and when; this port only records it.
/// </summary>
public interface IMembershipStore
{
    /// <summary>
    /// Opens a window at <paramref name="joinedAt"/> and sets the role; false (and no change) when the user already
    /// has an open window in the channel.
    /// </summary>
    Task<bool> OpenWindowAsync(Guid channelId, Guid userId, MemberRole role, DateTimeOffset joinedAt, CancellationToken cancellationToken);

    /// <summary>Closes the user's open window at <paramref name="leftAt"/>; false when there is no open window.</summary>
    Task<bool> CloseWindowAsync(Guid channelId, Guid userId, DateTimeOffset leftAt, CancellationToken cancellationToken);

    /// <summary>Changes the role of a user who has (or had) a window in the channel; false when they never had one.</summary>
    Task<bool> SetRoleAsync(Guid channelId, Guid userId, MemberRole role, CancellationToken cancellationToken);

    /// <summary>A user's participation in a channel, or null when they were never a member.</summary>
    Task<MemberRecord?> GetAsync(Guid channelId, Guid userId, CancellationToken cancellationToken);

    /// <summary>Everyone who ever had a window in the channel (current and former members), in no particular order.</summary>
    Task<IReadOnlyList<MemberRecord>> ListMembersAsync(Guid channelId, CancellationToken cancellationToken);

    /// <summary>The channels in which the user has an open window, in no particular order.</summary>
    Task<IReadOnlyList<Guid>> ListChannelsOfUserAsync(Guid userId, CancellationToken cancellationToken);
}
