using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using WellWon.Api.Realtime;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api;

/// <summary>
/// Messages, reactions, pins, read positions and typing under /api/channels/{channelId}. Access is enforced by the
/// channel grain: a caller who is not a current member gets 404, a member without the right 403.
/// </summary>
public static class MessagesApi
{
    /// <summary>Maps the message endpoints.</summary>
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/channels/{channelId}").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var messages = group.MapGroup("/messages").WithTags("Messages");
        messages.MapPost("/", Send)
            .WithName("SendMessage").WithSummary("201 with the new message; the same nonce from the same author returns the original message with 200.");
        messages.MapGet("/", GetHistory)
            .WithName("GetMessages").WithSummary("History newest first: limit 1..100 (default 50) and at most one of before/after/around (message IDs).");
        messages.MapGet("/{messageId}", GetMessage).WithName("GetMessage").WithSummary("One message the caller may see.");
        messages.MapPatch("/{messageId}", Edit).WithName("EditMessage").WithSummary("Replaces the content of the caller's own message; sets editedAt.");
        messages.MapDelete("/{messageId}", Delete).WithName("DeleteMessage").WithSummary("Soft delete by the author, owner or admin.");

        var reactions = group.MapGroup("/messages/{messageId}/reactions").WithTags("Reactions");
        reactions.MapPut("/{emoji}", AddReaction).WithName("AddReaction").WithSummary("Adds the caller's reaction (idempotent).");
        reactions.MapDelete("/{emoji}", RemoveReaction).WithName("RemoveReaction").WithSummary("Removes the caller's reaction (idempotent).");
        reactions.MapGet("/", GetReactions).WithName("GetReactions").WithSummary("Each emoji with its count and whether the caller reacted.");

        var pins = group.MapGroup("/pins").WithTags("Pins");
        pins.MapPut("/{messageId}", Pin).WithName("PinMessage").WithSummary("Pins a message (idempotent).");
        pins.MapDelete("/{messageId}", Unpin).WithName("UnpinMessage").WithSummary("Unpins a message (idempotent).");
        pins.MapGet("/", GetPins).WithName("GetPins").WithSummary("Pinned messages the caller may see, newest pin first.");

        var read = group.MapGroup("/read").WithTags("Read state");
        read.MapPost("/", MarkRead).WithName("MarkRead").WithSummary("Moves the caller's read position forward (never back).");
        read.MapGet("/", GetReadState).WithName("GetReadState").WithSummary("The caller's read position and unread count.");

        group.MapPost("/typing", Typing).WithTags("Typing")
            .WithName("StartTyping").WithSummary("Announces that the caller is typing (expires after 10 s); members only.");
        return app;
    }

    private static async Task<Results<Created<MessageDto>, Ok<MessageDto>, ValidationProblem>> Send(
        string channelId, SendMessageRequest body, ClaimsPrincipal user, IGrainFactory grains, IRealtimeBus typing, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var id = errors.Uuid("channelId", channelId);
        errors.Merge(ChatValidation.ValidateContent(body.Content)).Merge(ChatValidation.ValidateNonce(body.Nonce));
        long? replyTo = body.ReplyToId is null ? null : errors.MessageId("replyToId", body.ReplyToId);
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var result = await grains.GetGrain<IChannelGrain>(id)
            .Send(user.GetUserId(), new SendMessageCommand(ChatValidation.NormalizeContent(body.Content!), body.Nonce, replyTo))
            .WaitAsync(cancellationToken);
        var dto = result.Message.ToDto();

        // The message ends the author's typing: their next keystroke is announced again at once.
        await typing.StopTypingAsync(id, dto.AuthorId, cancellationToken);
        return result.Created
            ? TypedResults.Created($"/api/channels/{id:D}/messages/{dto.Id.ToString(CultureInfo.InvariantCulture)}", dto)
            : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<MessageDto[]>, ValidationProblem>> GetHistory(
        string channelId, string? limit, string? before, string? after, string? around,
        ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var id = errors.Uuid("channelId", channelId);
        int? pageSize = null;
        if (limit is not null)
        {
            if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) &&
                parsed is >= ChatValidation.MinLimit and <= ChatValidation.MaxLimit)
            {
                pageSize = parsed;
            }
            else
            {
                errors.Add("limit", $"Limit must be an integer between {ChatValidation.MinLimit} and {ChatValidation.MaxLimit}.");
            }
        }

        long? beforeId = before is null ? null : errors.MessageId("before", before);
        long? afterId = after is null ? null : errors.MessageId("after", after);
        long? aroundId = around is null ? null : errors.MessageId("around", around);
        if ((before is not null ? 1 : 0) + (after is not null ? 1 : 0) + (around is not null ? 1 : 0) > 1)
        {
            errors.Add("before", "Give at most one of before, after and around.");
        }

        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var page = await grains.GetGrain<IChannelGrain>(id)
            .GetHistory(user.GetUserId(), new HistoryRequest(pageSize ?? ChatValidation.DefaultLimit, beforeId, afterId, aroundId))
            .WaitAsync(cancellationToken);
        return TypedResults.Ok(page.Select(m => m.ToDto()).ToArray());
    }

    private static async Task<Results<Ok<MessageDto>, ValidationProblem>> GetMessage(
        string channelId, string messageId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Ids(channelId, messageId) is not (var channel, var message, null) || channel is null)
        {
            return Invalid(channelId, messageId);
        }

        var view = await grains.GetGrain<IChannelGrain>(channel.Value).GetMessage(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.Ok(view.ToDto());
    }

    private static async Task<Results<Ok<MessageDto>, ValidationProblem>> Edit(
        string channelId, string messageId, EditMessageRequest body, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var channel = errors.Uuid("channelId", channelId);
        var message = errors.MessageId("messageId", messageId);
        errors.Merge(ChatValidation.ValidateContent(body.Content));
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var view = await grains.GetGrain<IChannelGrain>(channel)
            .Edit(user.GetUserId(), message, ChatValidation.NormalizeContent(body.Content!))
            .WaitAsync(cancellationToken);
        return TypedResults.Ok(view.ToDto());
    }

    private static async Task<Results<NoContent, ValidationProblem>> Delete(
        string channelId, string messageId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Ids(channelId, messageId) is not (var channel, var message, null) || channel is null)
        {
            return Invalid(channelId, messageId);
        }

        await grains.GetGrain<IChannelGrain>(channel.Value).Delete(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> AddReaction(
        string channelId, string messageId, string emoji, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (ValidateReaction(channelId, messageId, emoji, out var channel, out var message) is { } invalid)
        {
            return invalid;
        }

        await grains.GetGrain<IChannelGrain>(channel).AddReaction(user.GetUserId(), message, emoji).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> RemoveReaction(
        string channelId, string messageId, string emoji, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (ValidateReaction(channelId, messageId, emoji, out var channel, out var message) is { } invalid)
        {
            return invalid;
        }

        await grains.GetGrain<IChannelGrain>(channel).RemoveReaction(user.GetUserId(), message, emoji).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ReactionDto[]>, ValidationProblem>> GetReactions(
        string channelId, string messageId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Ids(channelId, messageId) is not (var channel, var message, null) || channel is null)
        {
            return Invalid(channelId, messageId);
        }

        var reactions = await grains.GetGrain<IChannelGrain>(channel.Value).GetReactions(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.Ok(reactions.Select(r => r.ToDto()).ToArray());
    }

    private static async Task<Results<NoContent, ValidationProblem>> Pin(
        string channelId, string messageId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Ids(channelId, messageId) is not (var channel, var message, null) || channel is null)
        {
            return Invalid(channelId, messageId);
        }

        await grains.GetGrain<IChannelGrain>(channel.Value).Pin(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> Unpin(
        string channelId, string messageId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Ids(channelId, messageId) is not (var channel, var message, null) || channel is null)
        {
            return Invalid(channelId, messageId);
        }

        await grains.GetGrain<IChannelGrain>(channel.Value).Unpin(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MessageDto[]>, ValidationProblem>> GetPins(
        string channelId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(channelId, out var channel))
        {
            return ChannelsApi.InvalidChannelId();
        }

        var pins = await grains.GetGrain<IChannelGrain>(channel).GetPins(user.GetUserId()).WaitAsync(cancellationToken);
        return TypedResults.Ok(pins.Select(p => p.Message.ToDto()).ToArray());
    }

    private static async Task<Results<NoContent, ValidationProblem>> MarkRead(
        string channelId, ReadRequest body, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var channel = errors.Uuid("channelId", channelId);
        var message = errors.MessageId("messageId", body.MessageId);
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        await grains.GetGrain<IChannelGrain>(channel).MarkRead(user.GetUserId(), message).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ReadStateDto>, ValidationProblem>> GetReadState(
        string channelId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(channelId, out var channel))
        {
            return ChannelsApi.InvalidChannelId();
        }

        var state = await grains.GetGrain<IChannelGrain>(channel).GetReadState(user.GetUserId()).WaitAsync(cancellationToken);
        return TypedResults.Ok(state.ToDto());
    }

    // Typing is ephemeral: the grains keep no typing state. The API checks membership with the channel grain, then the
    // realtime bus records it (10 s) and fans TYPING_START out to every gateway node (in process now, Redis streams later).
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Typing(
        string channelId, ClaimsPrincipal user, IGrainFactory grains, IRealtimeBus typing, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(channelId, out var channel))
        {
            return ChannelsApi.InvalidChannelId();
        }

        var userId = user.GetUserId();
        if (!await grains.GetGrain<IChannelGrain>(channel).IsMember(userId).WaitAsync(cancellationToken))
        {
            return ApiErrors.NotFound("No such channel, or you are not a member.");
        }

        await typing.StartTypingAsync(channel, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static (Guid? Channel, long Message, string? Error) Ids(string channelId, string messageId)
    {
        if (!RouteIds.TryParseUuid(channelId, out var channel))
        {
            return (null, 0, "channelId");
        }

        return RouteIds.TryParseMessageId(messageId, out var message) ? (channel, message, null) : (channel, 0, "messageId");
    }

    private static ValidationProblem Invalid(string channelId, string messageId)
    {
        var errors = new Errors();
        errors.Uuid("channelId", channelId);
        errors.MessageId("messageId", messageId);
        return ApiErrors.Validation(errors.ToDictionary());
    }

    private static ValidationProblem? ValidateReaction(string channelId, string messageId, string emoji, out Guid channel, out long message)
    {
        var errors = new Errors();
        channel = errors.Uuid("channelId", channelId);
        message = errors.MessageId("messageId", messageId);
        if (!RouteIds.IsValidEmoji(emoji))
        {
            errors.Add("emoji", $"Must be a Unicode emoji or a custom emoji name of at most {RouteIds.MaxEmojiLength} characters.");
        }

        return errors.Any ? ApiErrors.Validation(errors.ToDictionary()) : null;
    }
}
