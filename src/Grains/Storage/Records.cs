using WellWon.Grains.Domain;

namespace WellWon.Grains.Storage;

/// <summary>
/// A stored message (ScyllaDB <c>messages</c>, partitioned by (channel_id, bucket), clustered by message_id DESC).
/// The creation time and the bucket are derived from <see cref="MessageId"/>.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="MessageId">The Snowflake ID.</param>
/// <param name="AuthorId">The author.</param>
/// <param name="Content">The content as shown (for a deleted message, the placeholder the grain chose).</param>
/// <param name="EditedAt">When the content was last edited, if ever.</param>
/// <param name="Deleted">Soft-deleted: the row keeps its place in history.</param>
/// <param name="ReplyToId">The message this one replies to.</param>
/// <param name="Nonce">The client's idempotency key, if it sent one.</param>
public sealed record MessageRecord(
    Guid ChannelId,
    long MessageId,
    Guid AuthorId,
    string Content,
    DateTimeOffset? EditedAt = null,
    bool Deleted = false,
    long? ReplyToId = null,
    string? Nonce = null)
{
    /// <summary>The creation time, from the Snowflake.</summary>
    public DateTimeOffset CreatedAt => Snowflake.GetCreatedAt(MessageId);

    /// <summary>The storage bucket, from the Snowflake.</summary>
    public int Bucket => Buckets.Of(MessageId);
}

/// <summary>Order of a page of messages.</summary>
public enum PageOrder
{
    /// <summary>Descending message ID: the usual history page.</summary>
    NewestFirst,

    /// <summary>Ascending message ID: pages read forward from an <c>after</c> bound.</summary>
    OldestFirst,
}

/// <summary>One emoji's reactions on a message as seen by one viewer.</summary>
/// <param name="Emoji">The emoji.</param>
/// <param name="Count">How many users reacted with it (always at least 1).</param>
/// <param name="Me">Whether the viewer is one of them.</param>
public sealed record ReactionCount(string Emoji, long Count, bool Me);

/// <summary>A pinned message (ScyllaDB <c>pinned_messages</c>).</summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="MessageId">The pinned message.</param>
/// <param name="PinnedAt">When it was pinned.</param>
/// <param name="PinnedBy">Who pinned it.</param>
public sealed record PinRecord(Guid ChannelId, long MessageId, DateTimeOffset PinnedAt, Guid PinnedBy);

/// <summary>A user's read position in a channel (ScyllaDB <c>message_read_positions</c>).</summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="UserId">The reader.</param>
/// <param name="LastReadMessageId">The newest message the user has read.</param>
public sealed record ReadPosition(Guid ChannelId, Guid UserId, long LastReadMessageId);

/// <summary>A user account (PostgreSQL <c>user_accounts</c>).</summary>
/// <param name="Id">The user ID.</param>
/// <param name="Username">The unique login name.</param>
/// <param name="DisplayName">The name shown to others.</param>
/// <param name="PasswordHash">The encoded password hash (algorithm and parameters included); never the password.</param>
/// <param name="CreatedAt">When the account was created.</param>
public sealed record UserRecord(Guid Id, string Username, string DisplayName, string PasswordHash, DateTimeOffset CreatedAt);

/// <summary>Outcome of <see cref="IUserStore.CreateAsync"/>.</summary>
public enum CreateUserResult
{
    /// <summary>The user was stored.</summary>
    Created,

    /// <summary>Another user has this username; nothing was stored.</summary>
    UsernameTaken,

    /// <summary>A user with this ID exists; nothing was stored.</summary>
    IdTaken,
}

/// <summary>A channel (PostgreSQL <c>chats</c>).</summary>
/// <param name="Id">The channel ID (for direct channels, <see cref="ChannelIds.Direct"/> of the pair).</param>
/// <param name="Type">The channel type.</param>
/// <param name="Name">The name; null for direct channels.</param>
/// <param name="OwnerId">The creator; null for direct channels.</param>
/// <param name="CreatedAt">When the channel was created.</param>
public sealed record ChannelRecord(Guid Id, ChannelType Type, string? Name, Guid? OwnerId, DateTimeOffset CreatedAt);

/// <summary>
/// A user's participation in a channel (PostgreSQL <c>chat_participants</c>): role and every membership window,
/// oldest first.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="UserId">The user.</param>
/// <param name="Role">The role (kept after leaving; replaced on rejoin).</param>
/// <param name="Windows">The membership windows, oldest first; at most the last one open.</param>
public sealed record MemberRecord(Guid ChannelId, Guid UserId, MemberRole Role, IReadOnlyList<MembershipWindow> Windows)
{
    /// <summary>True when the last window is open.</summary>
    public bool IsCurrent => Windows.Count > 0 && Windows[^1].IsOpen;
}
