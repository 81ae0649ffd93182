using System.Text.Json;
using System.Text.Json.Serialization;

namespace WellWon.Api;

// Request bodies: every field is nullable so a missing field is a validation error (400 with an errors map), not a
// deserialization failure; IDs inside bodies are strings and validated like route IDs.

/// <summary>POST /api/auth/register.</summary>
public sealed record RegisterRequest(string? Username, string? Password, string? DisplayName);

/// <summary>POST /api/auth/login.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>PUT /api/users/@me/presence.</summary>
public sealed record PresenceRequest(string? Status);

/// <summary>POST /api/channels.</summary>
public sealed record CreateChannelRequest(string? Type, string? Name, IReadOnlyList<string>? MemberIds);

/// <summary>POST /api/channels/direct.</summary>
public sealed record DirectChannelRequest(string? UserId);

/// <summary>POST /api/channels/{channelId}/members.</summary>
public sealed record AddMemberRequest(string? UserId);

/// <summary>POST /api/channels/{channelId}/messages.</summary>
public sealed record SendMessageRequest(string? Content, string? Nonce, string? ReplyToId);

/// <summary>PATCH /api/channels/{channelId}/messages/{messageId}.</summary>
public sealed record EditMessageRequest(string? Content);

/// <summary>POST /api/channels/{channelId}/read.</summary>
public sealed record ReadRequest(string? MessageId);

/// <summary>A user's profile.</summary>
public sealed record UserDto(Guid Id, string Username, string DisplayName, DateTimeOffset CreatedAt);

/// <summary>The answer to register and login.</summary>
public sealed record AuthResponse(UserDto User, string Token);

/// <summary>A user's presence.</summary>
public sealed record PresenceDto(Guid UserId, string Status, DateTimeOffset? LastSeenAt);

/// <summary>A channel.</summary>
public sealed record ChannelDto(Guid Id, string Type, string? Name, Guid? OwnerId, DateTimeOffset CreatedAt);

/// <summary>One entry of GET /api/users/@me/channels.</summary>
public sealed record UserChannelDto(
    ChannelDto Channel,
    [property: JsonConverter(typeof(NullableSnowflakeIdConverter))] long? LastMessageId,
    int UnreadCount);

/// <summary>A channel member.</summary>
public sealed record MemberDto(Guid UserId, string Role, DateTimeOffset JoinedAt);

/// <summary>A message; deleted messages keep their place with placeholder content.</summary>
public sealed record MessageDto(
    [property: JsonConverter(typeof(SnowflakeIdConverter))] long Id,
    Guid ChannelId,
    Guid AuthorId,
    string Content,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt,
    bool Deleted,
    [property: JsonConverter(typeof(NullableSnowflakeIdConverter)), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ReplyToId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nonce);

/// <summary>One emoji's reactions on a message.</summary>
public sealed record ReactionDto(string Emoji, int Count, bool Me);

/// <summary>The caller's read position in a channel.</summary>
public sealed record ReadStateDto(
    [property: JsonConverter(typeof(NullableSnowflakeIdConverter))] long? LastReadMessageId,
    int UnreadCount);

/// <summary>Source-generated JSON metadata for every API body (camelCase, times as ISO-8601 UTC, IDs as strings).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(PresenceRequest))]
[JsonSerializable(typeof(CreateChannelRequest))]
[JsonSerializable(typeof(DirectChannelRequest))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(EditMessageRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(PresenceDto))]
[JsonSerializable(typeof(ChannelDto))]
[JsonSerializable(typeof(UserChannelDto[]))]
[JsonSerializable(typeof(MemberDto[]))]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(MessageDto[]))]
[JsonSerializable(typeof(ReactionDto[]))]
[JsonSerializable(typeof(ReadStateDto))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
