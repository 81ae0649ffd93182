using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>The kind of a channel (API names: "direct", "group", "public").</summary>
public enum ChatChannelType
{
    /// <summary>Exactly two users; one channel per pair, its ID derived from the pair.</summary>
    Direct = 1,

    /// <summary>Invite-only: owners and admins add members.</summary>
    Group = 2,

    /// <summary>Anyone may join by adding themself.</summary>
    Public = 3,
}

/// <summary>A member's role (API names: "member", "admin", "owner").</summary>
public enum ChatMemberRole
{
    /// <summary>A regular member.</summary>
    Member = 1,

    /// <summary>Adds and removes members, deletes others' messages.</summary>
    Admin = 2,

    /// <summary>The creator; every admin right.</summary>
    Owner = 3,
}

/// <summary>A user's public profile.</summary>
[Immutable]
[GenerateSerializer]
public sealed record UserView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Username,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>Registration input. The password is already hashed by the API host; grains never see a password.</summary>
[Immutable]
[GenerateSerializer]
public sealed record RegisterUserCommand(
    [property: Id(0)] string Username,
    [property: Id(1)] string PasswordHash,
    [property: Id(2)] string? DisplayName);

/// <summary>Outcome of a registration.</summary>
public enum RegisterUserStatus
{
    /// <summary>The user was created (HTTP 201).</summary>
    Created = 1,

    /// <summary>The username is taken; nothing was created (HTTP 409).</summary>
    UsernameTaken = 2,
}

/// <summary>Outcome of <see cref="IUserRegistryGrain.Register"/>; <see cref="User"/> is set when created.</summary>
[Immutable]
[GenerateSerializer]
public sealed record RegisterUserResult(
    [property: Id(0)] RegisterUserStatus Status,
    [property: Id(1)] UserView? User);

/// <summary>What login needs: the user and the stored password hash.</summary>
[Immutable]
[GenerateSerializer]
public sealed record UserCredentials(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string PasswordHash);

/// <summary>A channel.</summary>
/// <param name="Id">The channel ID.</param>
/// <param name="Type">The type.</param>
/// <param name="Name">The name; null for direct channels.</param>
/// <param name="OwnerId">The creator; null for direct channels.</param>
/// <param name="CreatedAt">Creation time.</param>
[Immutable]
[GenerateSerializer]
public sealed record ChannelView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] ChatChannelType Type,
    [property: Id(2)] string? Name,
    [property: Id(3)] Guid? OwnerId,
    [property: Id(4)] DateTimeOffset CreatedAt);

/// <summary>Creates a group or public channel; the caller becomes its owner.</summary>
/// <param name="Type">Group or Public (Direct channels use <see cref="IChannelGrain.CreateDirect"/>).</param>
/// <param name="Name">1..100 characters.</param>
/// <param name="MemberIds">Users added as members at creation (must exist).</param>
[Immutable]
[GenerateSerializer]
public sealed record CreateChannelCommand(
    [property: Id(0)] ChatChannelType Type,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<Guid>? MemberIds);

/// <summary>A channel and whether this call created it (201) or it existed (200).</summary>
[Immutable]
[GenerateSerializer]
public sealed record CreateChannelResult(
    [property: Id(0)] ChannelView Channel,
    [property: Id(1)] bool Created);

/// <summary>A current member of a channel.</summary>
/// <param name="UserId">The member.</param>
/// <param name="Role">The role.</param>
/// <param name="JoinedAt">When the current membership window opened.</param>
[Immutable]
[GenerateSerializer]
public sealed record MemberView(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] ChatMemberRole Role,
    [property: Id(2)] DateTimeOffset JoinedAt);

/// <summary>A message as the API shows it. A deleted message keeps its place with placeholder content.</summary>
/// <param name="Id">The Snowflake ID (the API writes it as a decimal string).</param>
/// <param name="ChannelId">The channel.</param>
/// <param name="AuthorId">The author.</param>
/// <param name="Content">The content (placeholder when deleted).</param>
/// <param name="CreatedAt">From the Snowflake (ms precision).</param>
/// <param name="EditedAt">Last edit, if any.</param>
/// <param name="Deleted">Soft-deleted.</param>
/// <param name="ReplyToId">The message replied to.</param>
/// <param name="Nonce">The author's idempotency key, if one was sent.</param>
[Immutable]
[GenerateSerializer]
public sealed record MessageView(
    [property: Id(0)] long Id,
    [property: Id(1)] Guid ChannelId,
    [property: Id(2)] Guid AuthorId,
    [property: Id(3)] string Content,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? EditedAt,
    [property: Id(6)] bool Deleted,
    [property: Id(7)] long? ReplyToId,
    [property: Id(8)] string? Nonce);

/// <summary>Send input.</summary>
/// <param name="Content">1..4000 characters after trimming; stored trimmed.</param>
/// <param name="Nonce">Optional idempotency key, 1..64 printable ASCII: the same (channel, author, nonce) returns the first message.</param>
/// <param name="ReplyToId">Optional message replied to; must be a message the sender can see.</param>
[Immutable]
[GenerateSerializer]
public sealed record SendMessageCommand(
    [property: Id(0)] string Content,
    [property: Id(1)] string? Nonce = null,
    [property: Id(2)] long? ReplyToId = null);

/// <summary>The sent message and whether this call created it (201) or returned the nonce's original (200).</summary>
[Immutable]
[GenerateSerializer]
public sealed record SendMessageResult(
    [property: Id(0)] MessageView Message,
    [property: Id(1)] bool Created);

/// <summary>A history page request.</summary>
/// <param name="Limit">1..100; null means 50.</param>
/// <param name="Before">Only older messages (exclusive).</param>
/// <param name="After">Only newer messages (exclusive): the page right after it.</param>
/// <param name="Around">Centre the page on this message. At most one of Before/After/Around.</param>
[Immutable]
[GenerateSerializer]
public sealed record HistoryRequest(
    [property: Id(0)] int? Limit = null,
    [property: Id(1)] long? Before = null,
    [property: Id(2)] long? After = null,
    [property: Id(3)] long? Around = null);

/// <summary>One emoji's reactions on a message as the caller sees them.</summary>
[Immutable]
[GenerateSerializer]
public sealed record ReactionView(
    [property: Id(0)] string Emoji,
    [property: Id(1)] long Count,
    [property: Id(2)] bool Me);

/// <summary>A pinned message.</summary>
[Immutable]
[GenerateSerializer]
public sealed record PinView(
    [property: Id(0)] MessageView Message,
    [property: Id(1)] DateTimeOffset PinnedAt,
    [property: Id(2)] Guid PinnedBy);

/// <summary>A member's read state: position (null when nothing read) and messages by others after it that they may see.</summary>
[Immutable]
[GenerateSerializer]
public sealed record ReadStateView(
    [property: Id(0)] long? LastReadMessageId,
    [property: Id(1)] int UnreadCount);

/// <summary>One entry of a user's channel list.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="LastMessageId">The newest message the user may see, if any.</param>
/// <param name="UnreadCount">As in <see cref="ReadStateView.UnreadCount"/>.</param>
[Immutable]
[GenerateSerializer]
public sealed record UserChannelView(
    [property: Id(0)] ChannelView Channel,
    [property: Id(1)] long? LastMessageId,
    [property: Id(2)] int UnreadCount);
