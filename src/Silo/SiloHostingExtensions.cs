using Microsoft.Extensions.DependencyInjection;
using WellWon.Grains.Hosting;
using WellWon.Runtime.Hosting;

namespace WellWon.Silo;

/// <summary>What a WellWon silo hosts, shared by the standalone silo process and the API host's in-process dev silo.</summary>
public static class SiloHostingExtensions
{
    /// <summary>Adds the silo runtime with the development profile: every store in memory, chat grains included.</summary>
    public static ISiloBuilder AddWellWonDevelopmentSilo(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddWellWonSilo()
            .AddMemoryGrainStorage()
            .AddGrainAssemblyOf<HealthGrain>()
            .AddChatGrains()
            .AddInMemoryChatStores();
    }
}
