using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WellWon.Runtime.Hosting;
using WellWon.Storage.Postgres;
using WellWon.Storage.Postgres.Hosting;

namespace WellWon.Silo;

/// <summary>Chooses the silo's profile from configuration.</summary>
public static class SiloProfiles
{
    /// <summary>Connection string key: when set, the silo joins a cluster whose membership and grain state live in PostgreSQL.</summary>
    public const string PostgresConnectionStringKey = "WellWon:Postgres:ConnectionString";

    /// <summary>
    /// Development (no configuration): a single silo with every store in memory. Cluster (a PostgreSQL connection
    /// string configured): membership table and grain state in PostgreSQL (migrated at start), TCP clustering on
    /// <c>WellWon:Cluster:Port</c>.
    /// </summary>
    public static ISiloBuilder AddWellWonSiloFromConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var silo = services.AddWellWonDevelopmentSilo();
        var connectionString = configuration[PostgresConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return silo;
        }

        silo.AddPostgresMembershipTable(o => o.ConnectionString = connectionString)
            .AddPostgresGrainStorage("Default", connectionString)
            .AddWellWonClustering();
        return silo;
    }
}
