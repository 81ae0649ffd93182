using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WellWon.Storage.Postgres.Hosting;

/// <summary>A database the silo migrates at startup; the connection string is resolved when the host starts.</summary>
internal sealed class PostgresMigrationTarget(Func<IServiceProvider, string?> connectionString)
{
    public string? Resolve(IServiceProvider services) => connectionString(services);
}

/// <summary>
/// Applies pending migrations (<see cref="PostgresMigrator"/>) to every registered database, once per distinct
/// connection string, before the services registered after it start. Registered first in the collection, so it
/// runs before the silo's own hosted service. Failure stops the host from starting.
/// </summary>
internal sealed class PostgresMigrationHostedService(IServiceProvider services, IEnumerable<PostgresMigrationTarget> targets) : IHostedService
{
    private readonly ILogger _logger = services.GetService<ILoggerFactory>()?.CreateLogger<PostgresMigrationHostedService>()
        ?? NullLogger<PostgresMigrationHostedService>.Instance;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionStrings = targets
            .Select(t => t.Resolve(services))
            .Where(c => !string.IsNullOrWhiteSpace(c))
            .Distinct(StringComparer.Ordinal);
        foreach (var connectionString in connectionStrings)
        {
            var result = await new PostgresMigrator(connectionString!).MigrateAsync(cancellationToken).ConfigureAwait(false);
            _logMigrated(_logger, result.Applied.Count, string.Join(", ", result.Applied), result.AlreadyApplied.Count, null);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static readonly Action<ILogger, int, string, int, Exception?> _logMigrated = LoggerMessage.Define<int, string, int>(
        LogLevel.Information,
        new EventId(1, "PostgresMigrated"),
        "PostgreSQL schema migrated: applied {AppliedCount} migration(s) [{Applied}], {AlreadyAppliedCount} already applied");
}
