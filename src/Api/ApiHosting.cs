using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;
using WellWon.Api.Gateway;
using WellWon.Api.Realtime;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;
using WellWon.Silo;

namespace WellWon.Api;

/// <summary>Composition of the API host.</summary>
public static class ApiHosting
{
    /// <summary>Default URL when none is configured (dev mode).</summary>
    public const string DefaultUrl = "http://localhost:5000";

    /// <summary>
    /// Registers the grain runtime (in-process dev silo for now), auth, problem details, rate limiting, metrics,
    /// OpenAPI, health checks and the endpoints' services.
    /// </summary>
    public static WebApplicationBuilder AddWellWonApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var maxBody = builder.Configuration.GetValue<long?>($"{ApiOptions.SectionName}:{nameof(ApiOptions.MaxRequestBodyBytes)}") ?? ApiOptions.DefaultMaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);

        builder.Services.AddWellWonGrainAccess(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        builder.Services.AddWellWonApiServices();
        return builder;
    }

    /// <summary>
    /// How the API reaches grains. Development (nothing configured): an in-process silo with in-memory stores.
    /// Cluster (<c>WellWon:Postgres:ConnectionString</c> set): a cluster client that reads the membership table in
    /// PostgreSQL and calls each grain's owning silo directly; the silos run as separate processes (src/Silo).
    /// </summary>
    public static IServiceCollection AddWellWonGrainAccess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[SiloProfiles.PostgresConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddWellWonDevelopmentSilo();
            return services;
        }

        var clusterId = configuration[$"{Runtime.Configuration.SiloOptions.SectionName}:{nameof(Runtime.Configuration.SiloOptions.ClusterId)}"] ?? "dev";
        services.AddSingleton<Runtime.Membership.IMembershipTable>(_ => new Storage.Postgres.PostgresMembershipTable(connectionString, clusterId));
        services.AddWellWonClusterClient();
        return services;
    }

    /// <summary>Registers the API's own services: options, auth, errors, rate limits, JSON, metrics, OpenAPI.</summary>
    public static IServiceCollection AddWellWonApiServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton(sp => new TokenService(
            sp.GetRequiredService<SigningKeyProvider>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AuthOptions>>()));
        services.AddSingleton<Passwords>();
        services.AddSingleton<UserLookup>();
        services.TryAddSingleton<IPresenceService, InMemoryPresenceService>();
        services.AddOptions<TypingOptions>().BindConfiguration(TypingOptions.SectionName)
            .Validate(o => o.Ttl > TimeSpan.Zero, "WellWon:Typing:Ttl must be positive.").ValidateOnStart();
        services.TryAddSingleton<IRealtimeBus, InMemoryRealtimeBus>();
        services.TryAddSingleton<PresenceBroadcaster>();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton<GatewayNode>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayNode>());
        services.TryAddSingleton<PrometheusExporter>(_ => new PrometheusExporter());

        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Never leak exception details; RFC 9457 instance is the request path.
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Detail ??= ApiErrors.DefaultDetail(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            options.SerializerOptions.Converters.Add(new UtcTimeConverter());
            // "5" is not a number: the contract's numbers are numbers, its IDs strings.
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiOptions>>((limiter, api) => ConfigureRateLimiter(limiter, api.Value.RateLimit));

        services.AddOpenApi(options =>
        {
            var transformer = new BearerSecurityTransformer();
            options.AddDocumentTransformer(transformer);
            options.AddOperationTransformer(transformer);
            options.AddSchemaTransformer(new WireFormatSchemaTransformer());
        });
        return services;
    }

    /// <summary>Maps the middleware pipeline and every endpoint.</summary>
    public static WebApplication MapWellWonApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Fail at start, naming the setting, rather than on the first authenticated request; in Development this
        // generates (or loads) the development key and logs where it lives.
        _ = app.Services.GetRequiredService<SigningKeyProvider>().Key;

        // Start listening now: a MeterListener sees only what is measured after it starts.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseWebSockets();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapWebClient();
        app.MapOperationsApi();
        app.MapAuthApi();
        app.MapUsersApi();
        app.MapPresenceApi();
        app.MapChannelsApi();
        app.MapMessagesApi();
        app.MapGateway();
        return app;
    }

    private static string ClientAddress(HttpContext context) =>
        (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();

    private static void ConfigureRateLimiter(RateLimiterOptions limiter, RateLimitOptions settings)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        var general = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!settings.Enabled || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                return RateLimitPartition.GetNoLimiter("unlimited");
            }

            // Authentication runs first, so a signed-in caller is limited per user wherever they connect from.
            var user = context.User.FindFirst(BearerAuthenticationHandler.UserIdClaim)?.Value;
            var key = user is not null ? "user:" + user : "ip:" + ClientAddress(context);
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.TokenLimit,
                TokensPerPeriod = settings.TokensPerPeriod,
                ReplenishmentPeriod = settings.ReplenishmentPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

        // Register and login also count per address in a fixed window, so password guessing stays slow.
        var auth = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            !settings.Enabled || !context.Request.Path.StartsWithSegments("/api/auth", StringComparison.OrdinalIgnoreCase)
                ? RateLimitPartition.GetNoLimiter("unlimited")
                : RateLimitPartition.GetFixedWindowLimiter("auth:" + ClientAddress(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.AuthPermitLimit,
                    Window = settings.AuthWindow,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(general, auth);
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                : Math.Max(1, (int)Math.Ceiling(settings.ReplenishmentPeriod.TotalSeconds));
            var http = context.HttpContext;
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = ApiErrors.TitleFor(429),
                    Detail = $"Too many requests; retry after {retryAfter} s.",
                },
            });
        };
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
