using Microsoft.AspNetCore.Http.HttpResults;

namespace WellWon.Api;

/// <summary>Problem details helpers shared by the endpoints.</summary>
public static class ApiErrors
{
    /// <summary>The RFC 9110 reason phrase used as a problem title.</summary>
    public static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => ReasonPhrases(status),
    };

    /// <summary>The detail of a problem produced without one (status code pages, framework rejections).</summary>
    public static string DefaultDetail(int status) => status switch
    {
        400 => "The request is malformed.",
        401 => "This endpoint needs an 'Authorization: Bearer <token>' header.",
        403 => "You are not allowed to do this.",
        404 => "Nothing exists at this path, or it is not visible to you.",
        405 => "This path does not support the request method.",
        409 => "The request conflicts with the current state.",
        413 => "The request body is larger than 64 KiB.",
        415 => "The request body must be JSON (Content-Type: application/json).",
        429 => "Too many requests; retry later.",
        503 => "A backing store or the cluster is unavailable; retry shortly.",
        _ => TitleFor(status),
    };

    /// <summary>A 400 validation problem with an <c>errors</c> map.</summary>
    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "One or more validation errors occurred.", detail: "See errors for the fields that are invalid.");

    /// <summary>A 400 validation problem for one field.</summary>
    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>A 404 problem.</summary>
    public static ProblemHttpResult NotFound(string detail) => Problem(404, detail);

    /// <summary>A 403 problem.</summary>
    public static ProblemHttpResult Forbidden(string detail) => Problem(403, detail);

    /// <summary>A 409 problem.</summary>
    public static ProblemHttpResult Conflict(string detail) => Problem(409, detail);

    /// <summary>A 401 problem.</summary>
    public static ProblemHttpResult Unauthorized(string detail) => Problem(401, detail);

    /// <summary>A problem with the standard title of <paramref name="status"/>.</summary>
    public static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(statusCode: status, title: TitleFor(status), detail: detail);

    /// <summary>
    /// Maps a domain failure thrown by a grain to its status, or null when it is not one. Hosts extend it as the
    /// grains define their failure types.
    /// </summary>
    internal static (int Status, string Title, string? Detail)? TryMap(Exception exception) =>
        DomainErrorMapper.Map(exception);

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
