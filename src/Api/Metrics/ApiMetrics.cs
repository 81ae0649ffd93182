using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WellWon.Api;

/// <summary>The API host's own instruments (meter <c>WellWon.Api</c>).</summary>
internal static class ApiMetrics
{
    public const string MeterName = "WellWon.Api";

    public static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("wellwon.api.requests", "{request}", "HTTP requests answered, by method, route template and status.");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("wellwon.api.request.duration", "ms", "HTTP request latency, by method, route template and status.");
}

/// <summary>Records <see cref="ApiMetrics"/> for every request, labelled by route template (never the raw path, which would explode cardinality).</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            var tags = new TagList
            {
                { "method", context.Request.Method },
                { "route", route },
                { "status", context.Response.StatusCode },
            };
            ApiMetrics.Requests.Add(1, tags);
            ApiMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, tags);
        }
    }
}
