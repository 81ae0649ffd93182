using System.Runtime.CompilerServices;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

/// <summary>
/// One migrated database per server, shared by the adapter tests. Tests stay independent by using their own
/// cluster ID (membership) or grain keys (grain state) instead of their own database.
/// </summary>
internal static class MigratedDatabase
{
    private static readonly ConditionalWeakTable<PostgresServer, Task<string>> _databases = [];

    public static Task<string> GetAsync(PostgresServer server) => _databases.GetValue(server, CreateAsync);

    private static async Task<string> CreateAsync(PostgresServer server)
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("adapters"));
        await new PostgresMigrator(db).MigrateAsync();
        return db;
    }

    public static string NewClusterId() => "cluster-" + Guid.NewGuid().ToString("N");
}
