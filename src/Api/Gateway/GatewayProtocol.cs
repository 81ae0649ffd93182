using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using WellWon.Api.Realtime;
using WellWon.Grains.Interfaces;

namespace WellWon.Api.Gateway;

/// <summary>Close codes of the gateway (docs/gateway.md).</summary>
public static class GatewayCloseCodes
{
    /// <summary>The server could not start the session (a grain call failed); identify again.</summary>
    public const int ServerError = 4000;

    /// <summary>Unknown op.</summary>
    public const int UnknownOp = 4001;

    /// <summary>Not JSON, a missing field, or a frame too large.</summary>
    public const int DecodeError = 4002;

    /// <summary>The first frame was not identify/resume, or none came in time.</summary>
    public const int NotIdentified = 4003;

    /// <summary>Missing, invalid or expired token.</summary>
    public const int AuthenticationFailed = 4004;

    /// <summary>A second identify on an identified connection.</summary>
    public const int AlreadyIdentified = 4005;

    /// <summary>The user already holds the most sessions allowed, all of them connected.</summary>
    public const int TooManySessions = 4008;

    /// <summary>No frame for two heartbeat intervals (resumable).</summary>
    public const int SessionTimedOut = 4009;

    /// <summary>The send queue overflowed (resumable).</summary>
    public const int TooSlow = 4010;

    /// <summary>The session was resumed on another connection.</summary>
    public const int SessionReplaced = 4011;
}

/// <summary>
/// One dispatch as shared by every session it goes to: the type and the UTF-8 JSON of its data, encoded once. Each
/// session writes its own envelope (<c>{"op":"dispatch","seq":N,"type":...,"data":...}</c>) around it when sending.
/// </summary>
public sealed class Dispatch
{
    private static readonly byte[] s_head = "{\"op\":\"dispatch\",\"seq\":"u8.ToArray();

    /// <summary>Creates a dispatch.</summary>
    public Dispatch(string type, byte[] data, bool ephemeral)
    {
        Type = type;
        Data = data;
        Ephemeral = ephemeral;
        TypePart = Encoding.UTF8.GetBytes(",\"type\":\"" + type + "\",\"data\":");
    }

    /// <summary>The dispatch type, e.g. MESSAGE_CREATE.</summary>
    public string Type { get; }

    /// <summary>The data object as UTF-8 JSON.</summary>
    public byte[] Data { get; }

    /// <summary>TYPING_START and PRESENCE_UPDATE: shed first under pressure.</summary>
    public bool Ephemeral { get; }

    internal byte[] TypePart { get; }

    /// <summary>Bytes of the full frame for a sequence number (at most).</summary>
    internal int MaxFrameLength => s_head.Length + 20 + TypePart.Length + Data.Length + 1;

    /// <summary>Writes the frame for <paramref name="seq"/> into <paramref name="buffer"/>; returns its length.</summary>
    internal int WriteFrame(long seq, Span<byte> buffer)
    {
        s_head.CopyTo(buffer);
        var at = s_head.Length;
        Utf8Formatter.TryFormat(seq, buffer[at..], out var written);
        at += written;
        TypePart.CopyTo(buffer[at..]);
        at += TypePart.Length;
        Data.CopyTo(buffer[at..]);
        at += Data.Length;
        buffer[at++] = (byte)'}';
        return at;
    }

    /// <summary>The frame for <paramref name="seq"/> as a string (tests and diagnostics).</summary>
    public string ToFrame(long seq)
    {
        var buffer = new byte[MaxFrameLength];
        return Encoding.UTF8.GetString(buffer, 0, WriteFrame(seq, buffer));
    }
}

/// <summary>Encodes channel events, typing and presence as dispatches, with the REST API's JSON conventions.</summary>
public static class DispatchEncoder
{
    /// <summary>The dispatch of a channel event.</summary>
    public static Dispatch Encode(ChannelEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var context = GatewayJsonContext.Default;
        return e.Type switch
        {
            ChannelEventType.MessageCreate => Make("MESSAGE_CREATE", e.Message!.ToDto(), context.MessageDto),
            ChannelEventType.MessageUpdate => Make("MESSAGE_UPDATE", e.Message!.ToDto(), context.MessageDto),
            ChannelEventType.MessageDelete => Make("MESSAGE_DELETE", new MessageDeletedData(e.MessageId ?? e.Message!.Id, e.ChannelId), context.MessageDeletedData),
            ChannelEventType.ReactionAdd => Make("REACTION_ADD", Reaction(e), context.ReactionData),
            ChannelEventType.ReactionRemove => Make("REACTION_REMOVE", Reaction(e), context.ReactionData),
            ChannelEventType.PinAdd => Make("PIN_ADD", new PinData(e.ChannelId, e.MessageId ?? 0, e.UserId ?? Guid.Empty), context.PinData),
            ChannelEventType.PinRemove => Make("PIN_REMOVE", new PinData(e.ChannelId, e.MessageId ?? 0, e.UserId ?? Guid.Empty), context.PinData),
            ChannelEventType.MemberAdd => Make(
                "MEMBER_ADD",
                new MemberAddedData(e.ChannelId, e.Member?.UserId ?? e.UserId ?? Guid.Empty, e.Member?.Role.ToApiName() ?? "member", e.Member?.JoinedAt ?? e.At),
                context.MemberAddedData),
            ChannelEventType.MemberRemove => Make("MEMBER_REMOVE", new MemberRemovedData(e.ChannelId, e.UserId ?? Guid.Empty), context.MemberRemovedData),
            ChannelEventType.ReadUpdate => Make("READ_UPDATE", new ReadUpdateData(e.ChannelId, e.LastReadMessageId), context.ReadUpdateData),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Type, "Unknown channel event type."),
        };
    }

    /// <summary>The TYPING_START dispatch.</summary>
    public static Dispatch Encode(TypingEvent typing)
    {
        ArgumentNullException.ThrowIfNull(typing);
        return Make("TYPING_START", new TypingData(typing.ChannelId, typing.UserId, typing.ExpiresAt), GatewayJsonContext.Default.TypingData, ephemeral: true);
    }

    /// <summary>The PRESENCE_UPDATE dispatch.</summary>
    public static Dispatch Encode(PresenceEvent presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return Make(
            "PRESENCE_UPDATE",
            new PresenceDto(presence.UserId, presence.Status.ToApiName(), presence.LastSeenAt),
            GatewayJsonContext.Default.PresenceDto,
            ephemeral: true);
    }

    private static ReactionData Reaction(ChannelEvent e) => new(e.ChannelId, e.MessageId ?? 0, e.UserId ?? Guid.Empty, e.Emoji ?? string.Empty);

    private static Dispatch Make<T>(string type, T data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, bool ephemeral = false) =>
        new(type, JsonSerializer.SerializeToUtf8Bytes(data, info), ephemeral);
}

/// <summary>A client frame: the op and the fields of identify, resume and heartbeat.</summary>
internal readonly record struct ClientFrame(string Op, string? Token, string? SessionId, long? Seq);

/// <summary>Parses and writes the small control frames.</summary>
internal static class GatewayFrames
{
    public static readonly byte[] HeartbeatAck = "{\"op\":\"heartbeat_ack\"}"u8.ToArray();

    public static readonly byte[] InvalidSession = "{\"op\":\"invalid_session\"}"u8.ToArray();

    public static byte[] Ready(string sessionId, Guid userId, TimeSpan heartbeat, bool resumed, long seq) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ReadyFrame("ready", sessionId, (long)heartbeat.TotalMilliseconds, userId, resumed, seq),
            GatewayJsonContext.Default.ReadyFrame);

    /// <summary>Reads a client frame; null with a reason when it is not a JSON object with a string op and well-typed fields.</summary>
    public static ClientFrame? Parse(ReadOnlySpan<byte> utf8, out string? error)
    {
        error = null;
        string? op = null, token = null, sessionId = null;
        long? seq = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "A frame must be a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "op" when reader.TokenType == JsonTokenType.String:
                        op = reader.GetString();
                        break;
                    case "token" when reader.TokenType == JsonTokenType.String:
                        token = reader.GetString();
                        break;
                    case "sessionId" when reader.TokenType == JsonTokenType.String:
                        sessionId = reader.GetString();
                        break;
                    case "seq" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) && n >= 0:
                        seq = n;
                        break;
                    case "seq" when reader.TokenType == JsonTokenType.Null:
                        break;
                    case "op" or "token" or "sessionId" or "seq":
                        error = $"Field '{name}' has the wrong type.";
                        return null;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "A frame must be exactly one JSON object.";
                return null;
            }
        }
        catch (JsonException)
        {
            error = "Not valid JSON.";
            return null;
        }

        if (op is null)
        {
            error = "Field 'op' is required.";
            return null;
        }

        return new ClientFrame(op, token, sessionId, seq);
    }
}

internal sealed record ReadyFrame(string Op, string SessionId, long HeartbeatIntervalMs, Guid UserId, bool Resumed, long Seq);

internal sealed record MessageDeletedData([property: JsonConverter(typeof(SnowflakeIdConverter))] long Id, Guid ChannelId);

internal sealed record ReactionData(Guid ChannelId, [property: JsonConverter(typeof(SnowflakeIdConverter))] long MessageId, Guid UserId, string Emoji);

internal sealed record PinData(Guid ChannelId, [property: JsonConverter(typeof(SnowflakeIdConverter))] long MessageId, Guid UserId);

internal sealed record MemberAddedData(Guid ChannelId, Guid UserId, string Role, DateTimeOffset JoinedAt);

internal sealed record MemberRemovedData(Guid ChannelId, Guid UserId);

internal sealed record ReadUpdateData(Guid ChannelId, [property: JsonConverter(typeof(NullableSnowflakeIdConverter))] long? LastReadMessageId);

internal sealed record TypingData(Guid ChannelId, Guid UserId, DateTimeOffset ExpiresAt);

/// <summary>Source-generated JSON for gateway frames (same conventions as <see cref="ApiJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(ReadyFrame))]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(MessageDeletedData))]
[JsonSerializable(typeof(ReactionData))]
[JsonSerializable(typeof(PinData))]
[JsonSerializable(typeof(MemberAddedData))]
[JsonSerializable(typeof(MemberRemovedData))]
[JsonSerializable(typeof(ReadUpdateData))]
[JsonSerializable(typeof(TypingData))]
[JsonSerializable(typeof(PresenceDto))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
