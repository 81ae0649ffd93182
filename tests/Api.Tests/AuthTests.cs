using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFactory factory)
{
    [Fact]
    public async Task Register_returns_201_with_the_user_and_a_token()
    {
        using var client = factory.Anonymous();
        var username = "reg" + Guid.NewGuid().ToString("N")[..10];
        var response = await client.PostAsJsonAsync("/api/auth/register", new { username, password = "password123" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.BodyAsync();
        var user = body.GetProperty("user");
        Assert.True(Guid.TryParse(user.Str("id"), out _));
        Assert.Equal(username, user.Str("username"));
        Assert.Equal(username, user.Str("displayName"));
        Assert.EndsWith("Z", user.Str("createdAt"), StringComparison.Ordinal);
        Assert.StartsWith("ww1.", body.Str("token"), StringComparison.Ordinal);
        Assert.Equal($"/api/users/{user.Str("id")}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Register_with_a_taken_username_is_409()
    {
        var existing = await factory.NewUserAsync();
        using var client = factory.Anonymous();
        var response = await client.PostAsJsonAsync("/api/auth/register", new { username = existing.Username, password = "another password" });
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("ab", "password123", "username")]
    [InlineData("UPPER", "password123", "username")]
    [InlineData("has space", "password123", "username")]
    [InlineData("validname", "short", "password")]
    [InlineData(null, "password123", "username")]
    public async Task Register_with_invalid_fields_is_400_with_an_errors_map(string? username, string password, string field)
    {
        using var client = factory.Anonymous();
        var response = await client.PostAsJsonAsync("/api/auth/register", new { username, password });
        await response.AssertValidationAsync(field);
    }

    [Fact]
    public async Task Login_returns_a_token_that_works()
    {
        var user = await factory.NewUserAsync();
        using var client = factory.Anonymous();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { username = user.Username, password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Equal(user.Id.ToString(), body.GetProperty("user").Str("id"));

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("token"));
        var me = await client.GetAsync("/api/users/@me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_or_unknown_user_is_the_same_401()
    {
        var user = await factory.NewUserAsync();
        using var client = factory.Anonymous();
        var wrong = await client.PostAsJsonAsync("/api/auth/login", new { username = user.Username, password = "wrong password" });
        var unknown = await client.PostAsJsonAsync("/api/auth/login", new { username = "nobody" + Guid.NewGuid().ToString("N")[..8], password = "wrong password" });
        var wrongProblem = await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var unknownProblem = await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(wrongProblem.Str("detail"), unknownProblem.Str("detail"));
    }

    [Fact]
    public async Task A_missing_token_is_401_problem_with_WWW_Authenticate()
    {
        using var client = factory.Anonymous();
        var response = await client.GetAsync("/api/users/@me");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("ww1.AAAA.BBBB")]
    [InlineData("")]
    public async Task A_malformed_token_is_401(string token)
    {
        using var client = factory.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/@me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var response = await client.SendAsync(request);
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tampered_token_is_401_invalid_token()
    {
        var user = await factory.NewUserAsync();
        var parts = user.Token.Split('.');
        // Flip one character of the payload (it carries the user ID): the signature no longer matches.
        var payload = parts[1].ToCharArray();
        payload[3] = payload[3] == 'A' ? 'B' : 'A';
        var tampered = $"{parts[0]}.{new string(payload)}.{parts[2]}";
        using var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tampered);
        var response = await client.GetAsync("/api/users/@me");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var user = await factory.NewUserAsync();
        var otherKey = Microsoft.Extensions.Options.Options.Create(new Configuration.AuthOptions
        {
            SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        });
        var keys = new SigningKeyProvider(otherKey, new TestEnvironment("Production"), Microsoft.Extensions.Logging.Abstractions.NullLogger<SigningKeyProvider>.Instance);
        var forged = new TokenService(keys, TimeProvider.System, otherKey).Issue(user.Id);

        using var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        var response = await client.GetAsync("/api/users/@me");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed class ExpiryTests : IClassFixture<ClockApiFactory>
{
    private readonly ClockApiFactory _factory;

    public ExpiryTests(ClockApiFactory factory) => _factory = factory;

    [Fact]
    public async Task An_expired_token_is_401_and_says_so()
    {
        var user = await _factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/users/@me")).StatusCode);

        _factory.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        var response = await user.Client.GetAsync("/api/users/@me");
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
