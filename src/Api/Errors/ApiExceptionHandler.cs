using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;
using Microsoft.AspNetCore.Mvc;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;
using WellWon.Runtime.Transport;

namespace WellWon.Api;

/// <summary>
/// Turns every exception that escapes an endpoint into an RFC 9457 problem: bad requests keep their status (400, 413,
/// 415), a cluster or store that does not answer is 503 with Retry-After, domain failures map through
/// <see cref="ApiErrors.TryMap"/>, and anything else is a 500 that never carries the exception text or stack trace.
/// </summary>
internal sealed partial class ApiExceptionHandler(
    IProblemDetailsService problems,
    IOptions<ApiOptions> options,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody reads an answer, and it is neither a bug nor an outage.
            return true;
        }

        var (status, title, detail) = Classify(exception);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = options.Value.UnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
        }
        else if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var problem = exception is ChatValidationException validation
            ? new HttpValidationProblemDetails(validation.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
            : new ProblemDetails();
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }

    internal static (int Status, string Title, string? Detail) Classify(Exception exception)
    {
        switch (exception)
        {
            case BadHttpRequestException bad:
                return (bad.StatusCode, ApiErrors.TitleFor(bad.StatusCode), DescribeBadRequest(bad));
            case JsonException json:
                return (400, ApiErrors.TitleFor(400), DescribeJson(json));
            case OperationCanceledException:
            case TimeoutException:
            case EndpointUnavailableException:
            case ConnectionClosedException:
            case ConnectionRejectedException:
                return (503, ApiErrors.TitleFor(503), "The chat cluster did not answer in time; retry shortly.");
        }

        if (ApiErrors.TryMap(exception) is { } mapped)
        {
            return mapped;
        }

        return (500, ApiErrors.TitleFor(500), "An unexpected error occurred. It has been logged.");
    }

    private static string DescribeBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return DescribeJson(json);
        }

        return bad.StatusCode switch
        {
            413 => "The request body is too large.",
            415 => "The request body must be JSON (Content-Type: application/json).",
            _ => bad.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase)
                ? "A JSON request body is required."
                : bad.Message.Contains("Failed to bind parameter", StringComparison.Ordinal) ? bad.Message : "The request is malformed.",
        };
    }

    private static string DescribeJson(JsonException json) =>
        string.IsNullOrEmpty(json.Path)
            ? "The request body is not valid JSON."
            : $"The request body is not valid JSON for this endpoint (at {json.Path}).";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed because the cluster or a store is unavailable: {ExceptionType}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
