using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api;

/// <summary>Channels and membership: /api/channels, /api/channels/direct, /api/channels/{channelId}[/members].</summary>
public static class ChannelsApi
{
    /// <summary>Maps the channel endpoints.</summary>
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/channels").WithTags("Channels").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).WithName("CreateChannel").WithSummary("Creates a group or public channel; the caller is its owner.");
        group.MapPost("/direct", CreateDirect)
            .WithName("OpenDirectChannel").WithSummary("The direct channel of the caller and userId: 201 when created, 200 when it existed; the same ID from either side.");
        group.MapGet("/{channelId}", Get).WithName("GetChannel").WithSummary("The channel, for members (anyone for a public channel).");
        group.MapGet("/{channelId}/members", GetMembers).WithName("GetChannelMembers").WithSummary("Current members with role and joinedAt.");
        group.MapPost("/{channelId}/members", AddMember)
            .WithName("AddChannelMember").WithSummary("Owner/admin adds to a group; a user joins a public channel by adding themself.");
        group.MapDelete("/{channelId}/members/{userId}", RemoveMember)
            .WithName("RemoveChannelMember").WithSummary("Leave (self) or remove (owner/admin).");
        return app;
    }

    private static async Task<Results<Created<ChannelDto>, ValidationProblem>> Create(
        CreateChannelRequest body, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        ChatChannelType type = default;
        switch (body.Type)
        {
            case "group":
                type = ChatChannelType.Group;
                break;
            case "public":
                type = ChatChannelType.Public;
                break;
            case "direct":
                errors.Add("type", "Direct channels are opened with POST /api/channels/direct.");
                break;
            default:
                errors.Add("type", "Must be 'group' or 'public'.");
                break;
        }

        errors.Merge(ChatValidation.ValidateChannelName(body.Name));
        var members = new List<Guid>();
        if (body.MemberIds is { } memberIds)
        {
            if (memberIds.Count > 100)
            {
                errors.Add("memberIds", "At most 100 members can be added at creation.");
            }

            for (var i = 0; i < memberIds.Count && i < 100; i++)
            {
                if (RouteIds.TryParseUuid(memberIds[i], out var member))
                {
                    members.Add(member);
                }
                else
                {
                    errors.Add($"memberIds[{i}]", "Must be a UUID.");
                }
            }
        }

        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var id = Guid.CreateVersion7();
        var channel = await grains.GetGrain<IChannelGrain>(id)
            .Create(user.GetUserId(), new CreateChannelCommand(type, body.Name!.Trim(), members.Distinct().ToArray()))
            .WaitAsync(cancellationToken);
        return TypedResults.Created($"/api/channels/{channel.Id:D}", channel.ToDto());
    }

    private static async Task<Results<Created<ChannelDto>, Ok<ChannelDto>, ValidationProblem>> CreateDirect(
        DirectChannelRequest body, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var other = errors.Uuid("userId", body.UserId);
        var caller = user.GetUserId();
        if (!errors.Any && other == caller)
        {
            errors.Add("userId", "A direct channel needs another user.");
        }

        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var result = await grains.GetGrain<IChannelGrain>(DirectChannelIds.Of(caller, other))
            .CreateDirect(caller, other)
            .WaitAsync(cancellationToken);
        var dto = result.Channel.ToDto();
        return result.Created ? TypedResults.Created($"/api/channels/{dto.Id:D}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<ChannelDto>, ValidationProblem>> Get(
        string channelId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(channelId, out var id))
        {
            return InvalidChannelId();
        }

        var channel = await grains.GetGrain<IChannelGrain>(id).Get(user.GetUserId()).WaitAsync(cancellationToken);
        return TypedResults.Ok(channel.ToDto());
    }

    private static async Task<Results<Ok<MemberDto[]>, ValidationProblem>> GetMembers(
        string channelId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(channelId, out var id))
        {
            return InvalidChannelId();
        }

        var members = await grains.GetGrain<IChannelGrain>(id).GetMembers(user.GetUserId()).WaitAsync(cancellationToken);
        return TypedResults.Ok(members.Select(m => m.ToDto()).ToArray());
    }

    private static async Task<Results<NoContent, ValidationProblem>> AddMember(
        string channelId, AddMemberRequest body, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var id = errors.Uuid("channelId", channelId);
        var member = errors.Uuid("userId", body.UserId);
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        await grains.GetGrain<IChannelGrain>(id).AddMember(user.GetUserId(), member).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> RemoveMember(
        string channelId, string userId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var id = errors.Uuid("channelId", channelId);
        var member = errors.Uuid("userId", userId);
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        await grains.GetGrain<IChannelGrain>(id).RemoveMember(user.GetUserId(), member).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static ValidationProblem InvalidChannelId() =>
        ApiErrors.Validation("channelId", "Must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
}
