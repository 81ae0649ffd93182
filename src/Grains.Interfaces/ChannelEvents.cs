using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>Gateway dispatch types a channel produces (TYPING_START and PRESENCE_UPDATE come from Redis, not from here).</summary>
public enum ChannelEventType
{
    /// <summary>MESSAGE_CREATE: <see cref="ChannelEvent.Message"/> is set.</summary>
    MessageCreate = 1,

    /// <summary>MESSAGE_UPDATE: <see cref="ChannelEvent.Message"/> is the edited message.</summary>
    MessageUpdate = 2,

    /// <summary>MESSAGE_DELETE: <see cref="ChannelEvent.MessageId"/> (and the placeholder <see cref="ChannelEvent.Message"/>).</summary>
    MessageDelete = 3,

    /// <summary>REACTION_ADD: MessageId, UserId, Emoji.</summary>
    ReactionAdd = 4,

    /// <summary>REACTION_REMOVE: MessageId, UserId, Emoji.</summary>
    ReactionRemove = 5,

    /// <summary>PIN_ADD: MessageId, UserId (who pinned), Pin.</summary>
    PinAdd = 6,

    /// <summary>PIN_REMOVE: MessageId, UserId (who unpinned).</summary>
    PinRemove = 7,

    /// <summary>MEMBER_ADD: Member (and UserId).</summary>
    MemberAdd = 8,

    /// <summary>MEMBER_REMOVE: UserId.</summary>
    MemberRemove = 9,

    /// <summary>READ_UPDATE: UserId, LastReadMessageId (deliver to the reader's own sessions only).</summary>
    ReadUpdate = 10,
}

/// <summary>
/// One channel event. One flat shape for every type (the serializer is not polymorphic); fields that do not apply to a
/// type are null. <see cref="Sequence"/> increases by one per event of this channel activation, so a subscriber can
/// spot a gap (and re-read history) after a failover.
/// </summary>
[Immutable]
[GenerateSerializer]
public sealed record ChannelEvent(
    [property: Id(0)] ChannelEventType Type,
    [property: Id(1)] Guid ChannelId,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] long Sequence,
    [property: Id(4)] MessageView? Message = null,
    [property: Id(5)] long? MessageId = null,
    [property: Id(6)] Guid? UserId = null,
    [property: Id(7)] string? Emoji = null,
    [property: Id(8)] MemberView? Member = null,
    [property: Id(9)] long? LastReadMessageId = null,
    [property: Id(10)] PinView? Pin = null);

/// <summary>A gateway node's receiver of channel events (made with <c>IGrainFactory.CreateObjectReference</c>).</summary>
public interface IChannelObserver : IGrainObserver
{
    /// <summary>Delivers one event; one-way, so a slow or dead gateway never slows the channel. Filtering by membership is the gateway's job.</summary>
    [OneWay]
    Task OnChannelEvent(ChannelEvent channelEvent);
}
