using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace WellWon.Api.Tests;

/// <summary>
/// The API host with its in-process development silo, a fixed signing key (never the developer's key file) and a
/// wall clock tests can move forward.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private int _disposed;

    /// <summary>A test-only key: 48 random bytes per fixture.</summary>
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>The clock of the host: real time plus an offset tests may advance.</summary>
    public ShiftedTimeProvider Clock { get; } = new();

    /// <summary>Extra configuration for derived fixtures.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>Listen on a real loopback port (Kestrel) instead of the in-memory test server: WebSockets with real TCP backpressure.</summary>
    protected virtual bool RealServer => false;

    /// <summary>Where a <see cref="RealServer"/> host listens.</summary>
    public Uri ServerAddress { get; private set; } = new("http://localhost");

    public Task InitializeAsync()
    {
        // Starts the host (and its silo) before the first test.
        if (RealServer)
        {
            UseKestrel(0);
            StartServer();
            var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            ServerAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        }
        else
        {
            _ = Server;
        }

        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    // xunit disposes a fixture twice (IAsyncLifetime.DisposeAsync, then IDisposable.Dispose); stopping the host a
    // second time would stop an already disposed silo.
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await base.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("WellWon:Auth:SigningKey", SigningKey);
        // A nonexistent path: a test that fell back to the development key would fail loudly rather than write to ~.
        builder.UseSetting("WellWon:Auth:DevelopmentKeyPath", "/nonexistent/wellwon-test-key");
        // Every test client shares one address; the per-address login limit has its own test.
        builder.UseSetting("WellWon:Api:RateLimit:AuthPermitLimit", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient Anonymous() => RealServer
        ? CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ServerAddress })
        : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Registers a fresh user and returns a client carrying its token.</summary>
    public async Task<TestUser> NewUserAsync(string prefix = "u")
    {
        var username = $"{prefix}{Guid.NewGuid():N}"[..20];
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { username, password = "correct horse battery", displayName = "Test " + prefix });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        var id = Guid.Parse(body.GetProperty("user").GetProperty("id").GetString()!);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestUser(id, username, token, client);
    }
}

/// <summary>A registered user and a client that sends its token.</summary>
public sealed record TestUser(Guid Id, string Username, string Token, HttpClient Client);

/// <summary>Real time (timers and timestamps untouched) with a wall clock that can be moved forward.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>A host with a tiny per-user rate limit, to prove 429.</summary>
public sealed class RateLimitedApiFactory : ApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Api:RateLimit:TokenLimit", "3"),
        new("WellWon:Api:RateLimit:TokensPerPeriod", "1"),
        new("WellWon:Api:RateLimit:ReplenishmentPeriod", "00:01:00"),
    ];
}

/// <summary>A host with a tiny per-address limit on register/login.</summary>
public sealed class AuthLimitedApiFactory : ApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Api:RateLimit:AuthPermitLimit", "3"),
        new("WellWon:Api:RateLimit:AuthWindow", "00:10:00"),
    ];
}

/// <summary>A host of its own for tests that move the clock.</summary>
public sealed class ClockApiFactory : ApiFactory;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
