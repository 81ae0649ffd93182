using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api;

/// <summary>Users: GET /api/users/@me, /api/users/@me/channels, /api/users/{userId}, /api/users/by-username/{username}.</summary>
public static class UsersApi
{
    /// <summary>Maps the user endpoints.</summary>
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/@me", GetMe).WithName("GetCurrentUser").WithSummary("The caller's profile.");
        group.MapGet("/@me/channels", GetMyChannels)
            .WithName("GetCurrentUserChannels").WithSummary("The caller's channels with the last visible message and unread count, newest activity first.");
        group.MapGet("/{userId}", GetUser).WithName("GetUser").WithSummary("A user's public profile.");
        group.MapGet("/by-username/{username}", GetUserByUsername)
            .WithName("GetUserByUsername").WithSummary("A user's public profile by username (case-insensitive); 404 when nobody has it.");
        return app;
    }

    private static async Task<Ok<UserDto>> GetMe(ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var profile = await grains.GetGrain<IUserGrain>(user.GetUserId()).GetProfile().WaitAsync(cancellationToken);
        return TypedResults.Ok(profile.ToDto());
    }

    private static async Task<Ok<UserChannelDto[]>> GetMyChannels(ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var channels = await grains.GetGrain<IUserGrain>(user.GetUserId()).GetChannels().WaitAsync(cancellationToken);
        return TypedResults.Ok(channels.Select(c => c.ToDto()).ToArray());
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem>> GetUser(string userId, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        var id = errors.Uuid("userId", userId);
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var profile = await grains.GetGrain<IUserGrain>(id).GetProfile().WaitAsync(cancellationToken);
        return TypedResults.Ok(profile.ToDto());
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> GetUserByUsername(
        string username, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // Usernames are stored lower-case (the registry's key); a person typing "Alice" means "alice".
        var normalized = username.ToLowerInvariant();
        var errors = new Errors().Merge(ChatValidation.ValidateUsername(normalized));
        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var credentials = await grains.GetGrain<IUserRegistryGrain>(normalized).Lookup().WaitAsync(cancellationToken);
        if (credentials is null)
        {
            return ApiErrors.NotFound("No user has that username.");
        }

        var profile = await grains.GetGrain<IUserGrain>(credentials.UserId).GetProfile().WaitAsync(cancellationToken);
        return TypedResults.Ok(profile.ToDto());
    }
}
