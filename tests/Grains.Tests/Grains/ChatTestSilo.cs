using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage.InMemory;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;
using Clock = WellWon.Testing.ManualTimeProvider;

namespace WellWon.Grains.Tests.Grains;

/// <summary>One silo on the generic host with the chat grains, in-memory stores and a manual clock (the TestSilo pattern of Runtime.Tests).</summary>
public sealed class ChatTestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ChatTestSilo(IHost host, Clock clock, InMemoryChatStores stores)
    {
        _host = host;
        Clock = clock;
        Stores = stores;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public Clock Clock { get; }

    public InMemoryChatStores Stores { get; }

    public ChatMetrics Metrics => _host.Services.GetRequiredService<ChatMetrics>();

    public static async Task<ChatTestSilo> StartAsync(Action<ChatOptions>? configure = null)
    {
        var clock = new Clock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var stores = new InMemoryChatStores();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddWellWonSilo(o => o.ClusterId = "grains-test")
            .AddMemoryGrainStorage()
            .AddChatGrains(configure)
            .AddInMemoryChatStores(stores);
        var host = builder.Build();
        await host.StartAsync();
        return new ChatTestSilo(host, clock, stores);
    }

    /// <summary>Registers a user and returns their ID.</summary>
    public async Task<Guid> UserAsync(string username)
    {
        var result = await Grains.GetGrain<IUserRegistryGrain>(username).Register(new RegisterUserCommand(username, "hash:" + username, null));
        Assert.Equal(RegisterUserStatus.Created, result.Status);
        return result.User!.Id;
    }

    /// <summary>Creates a channel owned by <paramref name="owner"/> and returns its grain.</summary>
    public async Task<IChannelGrain> ChannelAsync(Guid owner, ChatChannelType type = ChatChannelType.Group, params Guid[] members)
    {
        var channel = Grains.GetGrain<IChannelGrain>(Guid.NewGuid());
        await channel.Create(owner, new CreateChannelCommand(type, "room", members));
        return channel;
    }

    /// <summary>Moves the wall clock only (no timers fire), like an NTP step.</summary>
    public void SetWallClock(DateTimeOffset now) => Clock.UtcNow = now;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
