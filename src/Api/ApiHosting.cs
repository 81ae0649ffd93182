using Microsoft.Extensions.Diagnostics.HealthChecks;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;
using WellWon.Silo;

namespace WellWon.Api;

/// <summary>Composition of the API host.</summary>
public static class ApiHosting
{
    /// <summary>Default URL when none is configured (dev mode).</summary>
    public const string DefaultUrl = "http://localhost:5000";

    /// <summary>Registers the grain runtime (in-process dev silo for now), health checks and the endpoints' services.</summary>
    public static WebApplicationBuilder AddWellWonApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddWellWonDevelopmentSilo();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>Maps the operational endpoints.</summary>
    public static WebApplication MapWellWonApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>Ready when a grain answers within a short deadline.</summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IHealthGrain>(0).Ping().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy("cluster answers");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("cluster: " + e.Message, e);
        }
    }
}
