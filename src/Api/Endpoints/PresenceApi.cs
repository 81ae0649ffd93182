using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using WellWon.Api.Realtime;

namespace WellWon.Api;

/// <summary>Presence: PUT /api/users/@me/presence, GET /api/users/{userId}/presence.</summary>
public static class PresenceApi
{
    /// <summary>Maps the presence endpoints.</summary>
    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/users").WithTags("Presence").RequireAuthorization();
        group.MapPut("/@me/presence", SetPresence)
            .WithName("SetPresence").WithSummary("Sets the caller's status (online, idle, dnd, offline); also a heartbeat.");
        group.MapGet("/{userId}/presence", GetPresence)
            .WithName("GetPresence").WithSummary("A user's status; offline once the heartbeat TTL lapses.");
        return app;
    }

    internal static bool TryParseStatus(string? text, out PresenceStatus status)
    {
        (var ok, status) = text switch
        {
            "online" => (true, PresenceStatus.Online),
            "idle" => (true, PresenceStatus.Idle),
            "dnd" => (true, PresenceStatus.Dnd),
            "offline" => (true, PresenceStatus.Offline),
            _ => (false, PresenceStatus.Offline),
        };
        return ok;
    }

    internal static string ToApiName(this PresenceStatus status) => status switch
    {
        PresenceStatus.Online => "online",
        PresenceStatus.Idle => "idle",
        PresenceStatus.Dnd => "dnd",
        _ => "offline",
    };

    private static async Task<Results<NoContent, ValidationProblem>> SetPresence(
        PresenceRequest body, ClaimsPrincipal user, PresenceBroadcaster presence, CancellationToken cancellationToken)
    {
        if (!TryParseStatus(body.Status, out var status))
        {
            return ApiErrors.Validation("status", "Must be one of online, idle, dnd, offline.");
        }

        await presence.SetAsync(user.GetUserId(), status, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PresenceDto>, ValidationProblem, ProblemHttpResult>> GetPresence(
        string userId, IPresenceService presence, UserLookup users, CancellationToken cancellationToken)
    {
        if (!RouteIds.TryParseUuid(userId, out var id))
        {
            return ApiErrors.Validation("userId", "Must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
        }

        if (!await users.ExistsAsync(id, cancellationToken))
        {
            return ApiErrors.NotFound("No such user.");
        }

        var snapshot = await presence.GetAsync(id, cancellationToken);
        return TypedResults.Ok(new PresenceDto(id, snapshot.Status.ToApiName(), snapshot.LastSeenAt));
    }
}
