using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

// One browser and one host at a time: the suite runs on small machines, and two Chromiums racing each other
// only make the waits longer.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace WellWon.WebClient.Tests;

/// <summary>
/// The API host on a real loopback port (Kestrel, in-process development silo, a test signing key) and one headless
/// Chromium for the whole collection.
/// </summary>
public class WebClientHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Where Debian's chromium lives; <c>WELLWON_CHROMIUM</c> points elsewhere.</summary>
    public const string DefaultChromium = "/usr/bin/chromium";

    /// <summary>Generous: the suite runs on small, busy CI machines.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private readonly List<NetworkLink> _links = [];
    private int _disposed;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IPEndPoint? _api;

    /// <summary>A test-only key: 48 random bytes per fixture.</summary>
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Extra configuration for derived fixtures.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public async Task InitializeAsync()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reports no address.");
        var address = new Uri(addresses.First());
        _api = new IPEndPoint(IPAddress.Loopback, address.Port);

        var chromium = Environment.GetEnvironmentVariable("WELLWON_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;
        if (!File.Exists(chromium))
        {
            // Never skip: a missing browser is a broken test environment (scripts/test.sh installs it).
            throw new InvalidOperationException($"Chromium not found at {chromium}: apt-get install -y chromium, or set WELLWON_CHROMIUM.");
        }

        Assertions.SetDefaultExpectTimeout((float)Timeout.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--headless"],
        });
    }

    /// <summary>A fresh network path to the API (each browser context gets its own, so one can be cut alone).</summary>
    public NetworkLink NewLink()
    {
        var link = new NetworkLink(_api ?? throw new InvalidOperationException("The fixture is not initialized."));
        lock (_links)
        {
            _links.Add(link);
        }

        return link;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    // xunit disposes a fixture twice (IAsyncLifetime.DisposeAsync, then IDisposable.Dispose).
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync();
            }

            _playwright?.Dispose();
            foreach (var link in _links)
            {
                await link.DisposeAsync();
            }

            await base.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("WellWon:Auth:SigningKey", SigningKey);
        // A nonexistent path: falling back to the development key would fail loudly rather than write to ~.
        builder.UseSetting("WellWon:Auth:DevelopmentKeyPath", "/nonexistent/wellwon-test-key");
        builder.UseSetting("WellWon:Api:RateLimit:AuthPermitLimit", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>A gateway that keeps only 8 dispatches per session for replay: a client cut off for longer cannot resume.</summary>
public sealed class SmallReplayWebClientHost : WebClientHost
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Gateway:ReplayLimit", "8"),
        new("WellWon:Gateway:SendQueueLimit", "8"),
        new("WellWon:Gateway:ShedThreshold", "4"),
    ];
}

[CollectionDefinition(Name)]
public sealed class WebClientCollection : ICollectionFixture<WebClientHost>
{
    public const string Name = "web-client";
}

[CollectionDefinition(Name)]
public sealed class SmallReplayCollection : ICollectionFixture<SmallReplayWebClientHost>
{
    public const string Name = "web-client-small-replay";
}
