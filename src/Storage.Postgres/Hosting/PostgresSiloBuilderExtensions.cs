using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WellWon.Runtime;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Hosting;
using WellWon.Runtime.Membership;
using WellWon.Storage.Postgres.Hosting;

namespace WellWon.Storage.Postgres;

/// <summary>Registers the PostgreSQL adapters of the runtime on a silo.</summary>
/// <remarks>
/// Each registration also adds its database to a hosted service that runs <see cref="PostgresMigrator"/> when the
/// host starts. That service is placed first in the service collection, so the schema is current before the
/// silo's hosted service (or any other) starts; concurrent silos are safe (the migrator takes an advisory lock).
/// </remarks>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL grain storage provider (table <c>grain_state</c>) under <paramref name="name"/>, resolved
    /// as the keyed service <see cref="IGrainStorage"/> like <c>AddMemoryGrainStorage</c>, and migrates its database
    /// at startup.
    /// </summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (_, _) => new PostgresGrainStorage(connectionString));
        AddMigration(builder.Services, _ => connectionString);
        return builder;
    }

    /// <summary>
    /// Uses the PostgreSQL membership table (<see cref="PostgresMembershipTable"/>) as the silo's
    /// <see cref="IMembershipTable"/>, for <paramref name="clusterId"/> or, when null, <c>SiloOptions.ClusterId</c>.
    /// </summary>
    public static ISiloBuilder AddPostgresMembershipTable(this ISiloBuilder builder, string connectionString, string? clusterId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddPostgresMembershipTable(options =>
        {
            options.ConnectionString = connectionString;
            options.ClusterId = clusterId;
        });
    }

    /// <summary>
    /// Uses the PostgreSQL membership table as the silo's <see cref="IMembershipTable"/>, configured from the section
    /// <see cref="PostgresMembershipOptions.SectionName"/> and then <paramref name="configure"/>.
    /// </summary>
    public static ISiloBuilder AddPostgresMembershipTable(this ISiloBuilder builder, Action<PostgresMembershipOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<PostgresMembershipOptions>().BindConfiguration(PostgresMembershipOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"{PostgresMembershipOptions.SectionName}:ConnectionString is required.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IMembershipTable>(sp => Create(sp.GetRequiredService<IOptions<PostgresMembershipOptions>>().Value, sp));
        AddMigration(builder.Services, sp =>
        {
            var o = sp.GetRequiredService<IOptions<PostgresMembershipOptions>>().Value;
            return o.MigrateOnStart ? o.ConnectionString : null;
        });
        return builder;
    }

    /// <summary>
    /// Creates the membership table described by <paramref name="options"/>; the cluster ID falls back to
    /// <c>SiloOptions.ClusterId</c> from <paramref name="services"/> when the options name none.
    /// </summary>
    public static PostgresMembershipTable Create(PostgresMembershipOptions options, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clusterId = string.IsNullOrWhiteSpace(options.ClusterId)
            ? services?.GetService<IOptions<SiloOptions>>()?.Value.ClusterId
            : options.ClusterId;
        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw new InvalidOperationException($"No cluster ID: set {PostgresMembershipOptions.SectionName}:ClusterId or the silo's ClusterId.");
        }

        return new PostgresMembershipTable(options.ConnectionString, clusterId);
    }

    private static void AddMigration(IServiceCollection services, Func<IServiceProvider, string?> connectionString)
    {
        services.AddSingleton(new PostgresMigrationTarget(connectionString));
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PostgresMigrationHostedService)))
        {
            // First, so the schema is migrated before the silo's hosted service starts.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, PostgresMigrationHostedService>());
        }
    }
}
