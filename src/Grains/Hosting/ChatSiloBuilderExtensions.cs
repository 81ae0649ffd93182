using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WellWon.Grains.Storage;
using WellWon.Grains.Storage.InMemory;
using WellWon.Runtime.Hosting;

namespace WellWon.Grains.Hosting;

/// <summary>Registration of the chat grains and their stores on a silo.</summary>
public static class ChatSiloBuilderExtensions
{
    /// <summary>
    /// Adds the chat grains: their generated code, <see cref="ChatOptions"/> (section <c>WellWon:Chat</c>, then
    /// <paramref name="configure"/>), the silo's <see cref="ISnowflakeSource"/> and <see cref="ChatMetrics"/>. Stores are
    /// registered separately (<see cref="AddInMemoryChatStores"/> or a database profile).
    /// </summary>
    public static ISiloBuilder AddChatGrains(this ISiloBuilder builder, Action<ChatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.WorkerId is >= 0 and <= Domain.Snowflake.MaxWorkerId, "WellWon:Chat:WorkerId must be 0..1023.")
            .Validate(o => o.HotWindowSize >= 0, "WellWon:Chat:HotWindowSize must not be negative.")
            .Validate(o => o.UnreadCountLimit >= 1, "WellWon:Chat:UnreadCountLimit must be positive.")
            .Validate(o => o.SubscriptionLifetime > TimeSpan.Zero, "WellWon:Chat:SubscriptionLifetime must be positive.")
            .Validate(o => o.GatewayRegistrationLifetime > TimeSpan.Zero, "WellWon:Chat:GatewayRegistrationLifetime must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ISnowflakeSource, SnowflakeSource>();
        builder.Services.TryAddSingleton<ChatMetrics>();
        return builder.AddGrainAssemblyOf<ChannelGrain>().AddGrainAssemblyOf<Interfaces.IChannelGrain>();
    }

    /// <summary>
    /// Registers one in-memory instance of every chat storage port (the development profile); pass
    /// <paramref name="stores"/> to share or inspect them (tests, benchmarks).
    /// </summary>
    public static ISiloBuilder AddInMemoryChatStores(this ISiloBuilder builder, InMemoryChatStores? stores = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(stores ?? new InMemoryChatStores());
        services.TryAddSingleton<IMessageStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Messages);
        services.TryAddSingleton<IBucketIndex>(sp => sp.GetRequiredService<InMemoryChatStores>().BucketIndex);
        services.TryAddSingleton<IReactionStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Reactions);
        services.TryAddSingleton<IPinStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Pins);
        services.TryAddSingleton<IReadPositionStore>(sp => sp.GetRequiredService<InMemoryChatStores>().ReadPositions);
        services.TryAddSingleton<IUserStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Users);
        services.TryAddSingleton<IChannelStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Channels);
        services.TryAddSingleton<IMembershipStore>(sp => sp.GetRequiredService<InMemoryChatStores>().Memberships);
        return builder;
    }
}
