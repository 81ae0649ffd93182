using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed partial class OperationsTests(ApiFactory factory)
{
    [Fact]
    public async Task Health_live_and_ready_are_200_and_ready_names_its_checks()
    {
        using var client = factory.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.BodyAsync();
        Assert.Equal("Healthy", body.Str("status"));
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("cluster").Str("status"));
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_runtime_and_http_metrics()
    {
        var user = await factory.NewUserAsync();
        await user.Client.GetAsync("/api/users/@me");
        using var client = factory.Anonymous();
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("# TYPE wellwon_grain_calls_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE wellwon_grain_activations gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE wellwon_grain_call_duration_milliseconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE wellwon_api_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("route=\"/api/users/@me\"", text, StringComparison.Ordinal);
        Assert.Contains("wellwon_api_request_duration_milliseconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("le=\"+Inf\"}", text, StringComparison.Ordinal);
        Assert.Contains("wellwon_api_request_duration_milliseconds_count{", text, StringComparison.Ordinal);

        // Every line is a comment or `name{labels} value`.
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || SampleLine().IsMatch(line), "bad line: " + line);
        }
    }

    [Fact]
    public async Task The_openapi_document_parses_lists_the_paths_and_describes_bearer_auth()
    {
        using var client = factory.Anonymous();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/auth/register", "/api/auth/login", "/api/users/@me", "/api/users/{userId}", "/api/users/@me/channels",
            "/api/users/@me/presence", "/api/users/{userId}/presence", "/api/channels", "/api/channels/direct",
            "/api/channels/{channelId}", "/api/channels/{channelId}/members", "/api/channels/{channelId}/members/{userId}",
            "/api/channels/{channelId}/messages", "/api/channels/{channelId}/messages/{messageId}",
            "/api/channels/{channelId}/messages/{messageId}/reactions", "/api/channels/{channelId}/messages/{messageId}/reactions/{emoji}",
            "/api/channels/{channelId}/pins", "/api/channels/{channelId}/pins/{messageId}", "/api/channels/{channelId}/read",
            "/api/channels/{channelId}/typing",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _) || paths.TryGetProperty(path + "/", out _), "missing path " + path);
        }

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.Str("type"));
        Assert.Equal("bearer", scheme.Str("scheme"));
        var me = paths.GetProperty("/api/users/@me").GetProperty("get");
        Assert.True(me.TryGetProperty("security", out _));

        // Message IDs are documented as the strings they are on the wire; omitted-when-null fields are optional.
        var message = document.GetProperty("components").GetProperty("schemas").GetProperty("MessageDto");
        Assert.Equal("string", message.GetProperty("properties").GetProperty("id").Str("type"));
        Assert.DoesNotContain("editedAt", message.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();
}

public sealed class RateLimitTests : IClassFixture<RateLimitedApiFactory>
{
    private readonly RateLimitedApiFactory _factory;

    public RateLimitTests(RateLimitedApiFactory factory) => _factory = factory;

    [Fact]
    public async Task A_user_over_the_limit_gets_429_with_Retry_After_and_others_are_unaffected()
    {
        var alice = await _factory.NewUserAsync();
        var bob = await _factory.NewUserAsync();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await alice.Client.GetAsync("/api/users/@me");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After: " + limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.GetAsync("/api/users/@me")).StatusCode);

        // Operations endpoints are never limited.
        using var anonymous = _factory.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }
}

public sealed class AuthRateLimitTests : IClassFixture<AuthLimitedApiFactory>
{
    private readonly AuthLimitedApiFactory _factory;

    public AuthRateLimitTests(AuthLimitedApiFactory factory) => _factory = factory;

    [Fact]
    public async Task Repeated_logins_from_one_address_get_429_with_Retry_After()
    {
        using var client = _factory.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            var attempt = await client.PostAsJsonAsync("/api/auth/login", new { username = "guess", password = "password" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }

        var limited = await client.PostAsJsonAsync("/api/auth/login", new { username = "guess", password = "password9" });
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After: " + limited.Headers.RetryAfter);
    }
}
