using Microsoft.AspNetCore.Http.HttpResults;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api;

/// <summary>Registration and login (anonymous): POST /api/auth/register, POST /api/auth/login.</summary>
public static class AuthApi
{
    /// <summary>Maps the auth endpoints.</summary>
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/auth").WithTags("Auth").AllowAnonymous();
        group.MapPost("/register", Register)
            .WithName("Register").WithSummary("Creates a user and returns it with a bearer token; 409 when the username is taken.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/login", Login)
            .WithName("Login").WithSummary("Returns the user and a bearer token; 401 on a wrong password or unknown user (same answer).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Results<Created<AuthResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest body, IGrainFactory grains, Passwords passwords, TokenService tokens, CancellationToken cancellationToken)
    {
        var errors = new Errors()
            .Merge(ChatValidation.ValidateUsername(body.Username))
            .Merge(ChatValidation.ValidatePassword(body.Password));
        if (body.DisplayName is not null && (string.IsNullOrWhiteSpace(body.DisplayName) || ChatValidation.CountCharacters(body.DisplayName) > 64))
        {
            errors.Add("displayName", "Display name must be 1 to 64 characters and not blank.");
        }

        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        var hash = passwords.Hash(body.Password!);
        var result = await grains.GetGrain<IUserRegistryGrain>(body.Username!)
            .Register(new RegisterUserCommand(body.Username!, hash, body.DisplayName?.Trim()))
            .WaitAsync(cancellationToken);
        if (result.Status == RegisterUserStatus.UsernameTaken || result.User is null)
        {
            return ApiErrors.Conflict("That username is taken.");
        }

        var user = result.User.ToDto();
        return TypedResults.Created($"/api/users/{user.Id:D}", new AuthResponse(user, tokens.Issue(user.Id)));
    }

    private static async Task<Results<Ok<AuthResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest body, IGrainFactory grains, Passwords passwords, TokenService tokens, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        if (string.IsNullOrEmpty(body.Username))
        {
            errors.Add("username", "Username is required.");
        }

        if (string.IsNullOrEmpty(body.Password))
        {
            errors.Add("password", "Password is required.");
        }

        if (errors.Any)
        {
            return ApiErrors.Validation(errors.ToDictionary());
        }

        // A username that cannot exist is answered exactly like an unknown one (same status, same work).
        UserCredentials? credentials = null;
        if (ChatValidation.ValidateUsername(body.Username).IsValid && body.Password!.Length <= ChatValidation.MaxPasswordLength * 2)
        {
            credentials = await grains.GetGrain<IUserRegistryGrain>(body.Username!).Lookup().WaitAsync(cancellationToken);
        }

        if (!passwords.Verify(credentials?.PasswordHash, body.Password!) || credentials is null)
        {
            return ApiErrors.Unauthorized("Wrong username or password.");
        }

        var user = await grains.GetGrain<IUserGrain>(credentials.UserId).GetProfile().WaitAsync(cancellationToken);
        return TypedResults.Ok(new AuthResponse(user.ToDto(), tokens.Issue(user.Id)));
    }
}
