using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WellWon.Api;

/// <summary>Health probes and the Prometheus scrape endpoint.</summary>
public static class OperationsApi
{
    /// <summary>Maps /health/live, /health/ready and /metrics (all anonymous, not rate limited).</summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth })
            .WithName("HealthLive").WithSummary("200 while the process runs.").WithTags("Operations");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth })
            .WithName("HealthReady").WithSummary("200 when the cluster and every configured store answer; 503 naming the failed check otherwise.").WithTags("Operations");
        app.MapGet("/metrics", (PrometheusExporter exporter) => TypedResults.Text(exporter.Write(), PrometheusExporter.ContentType, Encoding.UTF8))
            .WithName("Metrics").WithSummary("Prometheus text exposition of request, grain, activation and store metrics.").WithTags("Operations")
            .ExcludeFromDescription();
        return app;
    }

    // {"status":"Unhealthy","checks":{"cluster":{"status":"Unhealthy","description":"...","durationMs":3.1}}}
    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is not null)
                {
                    json.WriteString("description", entry.Description);
                }

                json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (report.Status != HealthStatus.Healthy)
            {
                json.WriteStartArray("failed");
                foreach (var (name, entry) in report.Entries)
                {
                    if (entry.Status != HealthStatus.Healthy)
                    {
                        json.WriteStringValue(name);
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).AsTask();
    }
}
