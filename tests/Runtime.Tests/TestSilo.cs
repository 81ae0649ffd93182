using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Core;
using WellWon.Runtime.Hosting;
using WellWon.Testing;

namespace WellWon.Runtime.Tests;

/// <summary>A single silo on the generic host with in-memory storage, a probe for grains to report to, and optionally a manual clock.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host, ManualTimeProvider? clock)
    {
        _host = host;
        Clock = clock;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public Probe Probe => _host.Services.GetRequiredService<Probe>();

    public ManualTimeProvider? Clock { get; }

    internal GrainRuntime Runtime => _host.Services.GetRequiredService<GrainRuntime>();

    public IServiceProvider Services => _host.Services;

    public static async Task<TestSilo> StartAsync(Action<SiloOptions>? configure = null, bool manualClock = false)
    {
        var clock = manualClock ? new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)) : null;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        builder.Services.AddSingleton<Probe>();
        builder.Services.AddWellWonSilo(o =>
        {
            o.ClusterId = "test";
            configure?.Invoke(o);
        }).AddMemoryGrainStorage().AddMemoryGrainStorage("other");
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host, clock);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
