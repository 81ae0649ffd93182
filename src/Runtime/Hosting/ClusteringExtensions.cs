using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Core;
using WellWon.Runtime.Membership;

namespace WellWon.Runtime.Hosting;

/// <summary>Registration of cluster membership, routing and the cluster client.</summary>
public static class ClusteringExtensions
{
    /// <summary>
    /// Makes the silo part of a cluster: it listens on <see cref="ClusteringOptions.Port"/>, joins through the
    /// registered <see cref="IMembershipTable"/> (in-memory unless one is registered), and routes each call to
    /// the silo that owns the grain. On shutdown it leaves the view first, then drains and deactivates its grains.
    /// </summary>
    public static ISiloBuilder AddWellWonClustering(this ISiloBuilder builder, Action<ClusteringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddClusteringCore(builder.Services, configure);
        builder.Services.AddSingleton(sp => CreateFabric(sp, isClient: false));
        builder.Services.AddHostedService<ClusterHostedService>();
        return builder;
    }

    /// <summary>
    /// Adds a cluster client: an <see cref="IGrainFactory"/> that computes each grain's owner from the membership
    /// table and calls it directly over TCP; observers created here are reachable from grains.
    /// </summary>
    public static IServiceCollection AddWellWonClusterClient(this IServiceCollection services, Action<SiloOptions>? configureClient = null, Action<ClusteringOptions>? configureClustering = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.SectionName);
        if (configureClient is not null)
        {
            options.Configure(configureClient);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        AddClusteringCore(services, configureClustering);
        services.AddSingleton(sp => CreateFabric(sp, isClient: true));
        services.AddHostedService<ClusterHostedService>();
        return services;
    }

    /// <summary>Uses <paramref name="table"/> as the membership table (e.g. one shared by an in-process test cluster).</summary>
    public static ISiloBuilder UseMembershipTable(this ISiloBuilder builder, IMembershipTable table)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(table);
        return builder;
    }

    private static void AddClusteringCore(IServiceCollection services, Action<ClusteringOptions>? configure)
    {
        var options = services.AddOptions<ClusteringOptions>().BindConfiguration(ClusteringOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusteringOptions>, ClusteringOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton<IMembershipTable>(_ => new InMemoryMembershipTable());
        services.TryAddSingleton<PlacementChanges>();
        services.TryAddSingleton<IPlacementChanges>(sp => sp.GetRequiredService<PlacementChanges>());
    }

    private static ClusterFabric CreateFabric(IServiceProvider sp, bool isClient)
    {
        var runtime = sp.GetRequiredService<GrainRuntime>();
        var fabric = new ClusterFabric(
            runtime,
            sp.GetRequiredService<IOptions<ClusteringOptions>>().Value,
            sp.GetRequiredService<IMembershipTable>(),
            isClient,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterFabric>(),
            sp.GetRequiredService<PlacementChanges>());
        runtime.Fabric = fabric;
        return fabric;
    }
}

/// <summary>Starts the cluster connection; on stop leaves the view, drains grains, then writes Dead; stops the host if declared dead.</summary>
internal sealed class ClusterHostedService(ClusterFabric fabric, GrainRuntime runtime, IHostApplicationLifetime lifetime, ILogger<ClusterHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await fabric.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = fabric.DeclaredDead.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    logger.LogCritical("Silo {Silo} was declared dead by the cluster; stopping", fabric.Silo);
                    lifetime.StopApplication();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (fabric.IsClient)
        {
            await fabric.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await fabric.BeginLeaveAsync(cancellationToken).ConfigureAwait(false);
        await runtime.StopAsync(cancellationToken).ConfigureAwait(false);
        await fabric.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
