using System.Net;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class WebClientHostingTests(ApiFactory factory)
{
    [Fact]
    public async Task The_web_client_is_served_at_the_root_without_a_token_under_a_strict_policy()
    {
        using var client = factory.Anonymous();
        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", html, StringComparison.Ordinal);
        // No inline code: every script is a file of this origin.
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);

        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self' ws: wss:", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoCache, "index.html must be revalidated on every load");
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/api.js", "text/javascript")]
    [InlineData("/gateway.js", "text/javascript")]
    [InlineData("/util.js", "text/javascript")]
    [InlineData("/styles.css", "text/css")]
    public async Task The_client_files_are_served_with_their_types_and_revalidated(string path, string type)
    {
        using var client = factory.Anonymous();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task An_unknown_file_is_404_and_the_api_is_not_shadowed()
    {
        using var client = factory.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/nope.js")).StatusCode);
        await (await client.GetAsync("/api/users/@me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
