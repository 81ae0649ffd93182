using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>
/// A channel (key: channel ID): its membership (who may read and write, and each member's visibility windows), its
/// write path (messages, reactions, pins, read positions), the hot window of recent messages, read coalescing, and
/// fan-out of events to subscribed gateways.
/// </summary>
/// <remarks>
/// Every method takes the acting user and enforces access inside the grain. Failures are typed: unknown channel, a
/// caller who is not a current member, or a message outside the caller's visibility windows ->
/// <see cref="ChatNotFoundException"/> (404); a member without the right role -> <see cref="ChatForbiddenException"/>
/// (403); bad input -> <see cref="ChatValidationException"/> (400); a state conflict -> <see cref="ChatConflictException"/> (409).
/// A member sees messages created in one of their windows (joinedAt &lt;= time &lt; leftAt); rejoining opens a new window.
/// </remarks>
public interface IChannelGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Creates a group or public channel with this grain's key, the actor as owner and the listed users as members;
    /// conflict when the ID is already a channel; a listed user that does not exist is a validation error on "memberIds".
    /// </summary>
    Task<ChannelView> Create(Guid actorId, CreateChannelCommand command);

    /// <summary>
    /// Creates (or returns) the direct channel of the actor and <paramref name="otherUserId"/>; the grain key must be
    /// their derived direct-channel ID (<see cref="DirectChannelIds.Of"/>), so either side reaches the same channel. Created
    /// tells 201 from 200; not-found when the other user does not exist.
    /// </summary>
    Task<CreateChannelResult> CreateDirect(Guid actorId, Guid otherUserId);

    /// <summary>The channel, for current members (and anyone for a public channel); not-found otherwise.</summary>
    [ReadOnly]
    Task<ChannelView> Get(Guid actorId);

    /// <summary>The current members with role and current joinedAt, for the same callers as <see cref="Get"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<MemberView>> GetMembers(Guid actorId);

    /// <summary>
    /// Adds a member (idempotent for a current member): an owner or admin adds to a group; a user joins a public channel
    /// by adding themself (owner/admin may add others too). Direct channels never change (forbidden). A rejoin opens
    /// a new visibility window. Emits MEMBER_ADD.
    /// </summary>
    Task AddMember(Guid actorId, Guid userId);

    /// <summary>
    /// Removes a member: anyone may leave (actor == user); owner/admin may remove others (not the owner). Closes the
    /// visibility window. Not-found when the user is not a current member. Emits MEMBER_REMOVE.
    /// </summary>
    Task RemoveMember(Guid actorId, Guid userId);

    /// <summary>
    /// Sends a message as the actor. With a nonce, the same (channel, author, nonce) returns the first message with
    /// Created = false, also under concurrent duplicates. Moves the sender's read position to the message. Emits MESSAGE_CREATE.
    /// </summary>
    Task<SendMessageResult> Send(Guid actorId, SendMessageCommand command);

    /// <summary>One message the actor may see; not-found otherwise.</summary>
    [ReadOnly]
    Task<MessageView> GetMessage(Guid actorId, long messageId);

    /// <summary>
    /// A page of history the actor may see, newest first: limit 1..100 (default 50), at most one of before/after/around
    /// (exclusive bounds; around centres the page). Concurrent identical reads share one store query.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<MessageView>> GetHistory(Guid actorId, HistoryRequest request);

    /// <summary>Replaces the content of the actor's own message and sets editedAt; forbidden for others, conflict for a deleted message. Emits MESSAGE_UPDATE.</summary>
    Task<MessageView> Edit(Guid actorId, long messageId, string content);

    /// <summary>Soft-deletes a message (author, owner or admin): placeholder content, keeps its place. Idempotent. Emits MESSAGE_DELETE.</summary>
    Task Delete(Guid actorId, long messageId);

    /// <summary>Adds the actor's reaction (idempotent). Emits REACTION_ADD when it changed something.</summary>
    Task AddReaction(Guid actorId, long messageId, string emoji);

    /// <summary>Removes the actor's reaction (idempotent). Emits REACTION_REMOVE when it changed something.</summary>
    Task RemoveReaction(Guid actorId, long messageId, string emoji);

    /// <summary>The message's reactions ordered by emoji (ordinal), each with count and whether the actor reacted.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ReactionView>> GetReactions(Guid actorId, long messageId);

    /// <summary>Pins a message the actor may see (any current member; idempotent, first pin wins). Emits PIN_ADD.</summary>
    Task Pin(Guid actorId, long messageId);

    /// <summary>Unpins a message (any current member; idempotent). Emits PIN_REMOVE.</summary>
    Task Unpin(Guid actorId, long messageId);

    /// <summary>The pins whose messages the actor may see, newest pin first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<PinView>> GetPins(Guid actorId);

    /// <summary>Moves the actor's read position to a message they may see; it never moves back. Emits READ_UPDATE when it moved.</summary>
    Task<ReadStateView> MarkRead(Guid actorId, long messageId);

    /// <summary>The actor's read position and the number of messages by others after it that the actor may see (not deleted).</summary>
    [ReadOnly]
    Task<ReadStateView> GetReadState(Guid actorId);

    /// <summary>The channel-list entry of a user (channel, last visible message, unread count), or null when not a current member.</summary>
    [ReadOnly]
    Task<UserChannelView?> GetSummary(Guid userId);

    /// <summary>True when the user is a current member (for typing, search and gateway checks).</summary>
    [ReadOnly]
    Task<bool> IsMember(Guid userId);

    /// <summary>
    /// Subscribes an observer to every event of this channel (idempotent). A subscription lasts
    /// <c>ChatOptions.SubscriptionLifetime</c> (default 5 min) unless renewed by calling Subscribe again; gateways
    /// renew at half that, which also restores it after the channel grain moved or was deactivated.
    /// </summary>
    Task Subscribe(IChannelObserver observer);

    /// <summary>Removes a subscription (idempotent).</summary>
    Task Unsubscribe(IChannelObserver observer);
}
