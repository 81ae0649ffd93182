using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WellWon.Api.Tests;

/// <summary>A host whose presence store fails and with a store health check that is down.</summary>
public sealed class FaultyApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IPresenceService, FaultyPresence>();
            services.AddHealthChecks().AddCheck("redis", () => HealthCheckResult.Unhealthy("redis: connection refused"), tags: ["ready"]);
        });
    }

    private sealed class FaultyPresence : IPresenceService
    {
        // A bug: must become a 500 that does not leak this text.
        public Task<PresenceSnapshot> SetAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("secret internal detail");

        // A store that does not answer: must become a 503 with Retry-After.
        public Task<PresenceSnapshot> GetAsync(Guid userId, CancellationToken cancellationToken) =>
            throw new TimeoutException("redis did not answer");
    }
}

public sealed class FaultTests : IClassFixture<FaultyApiFactory>
{
    private readonly FaultyApiFactory _factory;

    public FaultTests(FaultyApiFactory factory) => _factory = factory;

    [Fact]
    public async Task An_unavailable_store_is_503_with_Retry_After()
    {
        var user = await _factory.NewUserAsync();
        var response = await user.Client.GetAsync($"/api/users/{user.Id}/presence");
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_bug_is_500_without_exception_text_or_stack_trace()
    {
        var user = await _factory.NewUserAsync();
        var response = await user.Client.PutAsJsonAsync("/api/users/@me/presence", new { status = "online" });
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_is_503_and_names_the_failed_check()
    {
        using var client = _factory.Anonymous();
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Equal(["redis"], body.GetProperty("failed").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("cluster").Str("status"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
