using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace WellWon.Api;

/// <summary>Authenticates <c>Authorization: Bearer ww1...</c> with <see cref="TokenService"/>.</summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>The claim holding the user ID.</summary>
    public const string UserIdClaim = ClaimTypes.NameIdentifier;

    private const string FailureKey = "WellWon.AuthFailure";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Context.Items[FailureKey] = TokenFailure.Malformed;
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header is not a bearer token."));
        }

        var failure = tokens.Validate(header["Bearer ".Length..].Trim(), out var userId);
        if (failure != TokenFailure.None)
        {
            Context.Items[FailureKey] = failure;
            return Task.FromResult(AuthenticateResult.Fail($"Token refused: {failure}."));
        }

        var identity = new ClaimsIdentity([new Claim(UserIdClaim, userId.ToString("D"))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items.TryGetValue(FailureKey, out var value) && value is TokenFailure f ? f : (TokenFailure?)null;
        var detail = failure switch
        {
            null => "This endpoint needs an 'Authorization: Bearer <token>' header.",
            TokenFailure.Expired => "The token has expired; log in again.",
            _ => "The token is invalid.",
        };
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null
            ? "Bearer"
            : failure == TokenFailure.Expired
                ? "Bearer error=\"invalid_token\", error_description=\"The token has expired\""
                : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized", Detail = detail },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = "You are not allowed to do this." },
        });
    }
}

/// <summary>Reads the caller from the authenticated principal.</summary>
public static class CallerExtensions
{
    /// <summary>The authenticated user's ID; endpoints calling this require authorization.</summary>
    public static Guid GetUserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.Parse(user.FindFirstValue(BearerAuthenticationHandler.UserIdClaim) ?? throw new InvalidOperationException("No authenticated user."));
    }
}
