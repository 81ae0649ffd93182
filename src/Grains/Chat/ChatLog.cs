using Microsoft.Extensions.Logging;

namespace WellWon.Grains;

/// <summary>Structured log messages of the chat grains.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Channel {ChannelId} created ({ChannelType}) by {ActorId}")]
    public static partial void ChannelCreated(ILogger logger, Guid channelId, string channelType, Guid actorId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Channel {ChannelId} activated: {MemberCount} members, {BucketCount} buckets, {HotCount} hot messages")]
    public static partial void ChannelActivated(ILogger logger, Guid channelId, int memberCount, int bucketCount, int hotCount);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Channel {ChannelId}: {ActorId} added {UserId}")]
    public static partial void MemberAdded(ILogger logger, Guid channelId, Guid actorId, Guid userId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Channel {ChannelId}: {ActorId} removed {UserId}")]
    public static partial void MemberRemoved(ILogger logger, Guid channelId, Guid actorId, Guid userId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Channel {ChannelId}: nonce mapping {MessageId} had no row; repaired by writing it")]
    public static partial void NonceRepaired(ILogger logger, Guid channelId, long messageId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Channel {ChannelId}: delivering an event to observer {Observer} failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, Guid channelId, string observer);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "User {UserId} registered as {Username}")]
    public static partial void UserRegistered(ILogger logger, Guid userId, string username);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Channel {ChannelId}: could not look up the gateway nodes of new members; they see the channel live after reconnecting")]
    public static partial void GatewayLookupFailed(ILogger logger, Exception exception, Guid channelId);
}
