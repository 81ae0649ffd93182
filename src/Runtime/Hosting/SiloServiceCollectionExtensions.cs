using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Core;
using WellWon.Runtime.Metadata;
using WellWon.Runtime.Persistence;

namespace WellWon.Runtime.Hosting;

/// <summary>Configures a silo on the generic host.</summary>
public interface ISiloBuilder
{
    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Registration of the runtime on the generic host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo: the grain runtime (as <see cref="IGrainFactory"/>), its options (section "WellWon:Silo"),
    /// and a hosted service that starts it and deactivates every grain on shutdown.
    /// </summary>
    public static ISiloBuilder AddWellWonSilo(this IServiceCollection services, Action<SiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<ILocalSiloDetails, LocalSiloDetails>();
        services.AddHostedService<SiloHostedService>();
        return new SiloBuilder(services);
    }

    /// <summary>Adds an in-memory grain storage provider under <paramref name="name"/>.</summary>
    public static ISiloBuilder AddMemoryGrainStorage(this ISiloBuilder builder, string name = GrainStorage.DefaultProviderName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (_, _) => new MemoryGrainStorage());
        return builder;
    }

    /// <summary>Registers the generated code of the assemblies holding these types (assemblies loaded at start are found anyway).</summary>
    public static ISiloBuilder AddGrainAssemblyOf<T>(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TypeManifest.EnsureRegistered(typeof(T).Assembly);
        return builder;
    }

    private sealed class SiloBuilder(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Starts the runtime with the host and deactivates every activation when the host stops.</summary>
internal sealed class SiloHostedService(GrainRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
}
