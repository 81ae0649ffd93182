using WellWon.Membership.Tests;
using WellWon.Runtime.Membership;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

/// <summary>The <see cref="IMembershipTable"/> contract (the cases the in-memory table passes) against PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipTableContractTests(PostgresServer server) : MembershipTableContractTests, IAsyncLifetime
{
    private readonly List<PostgresMembershipTable> _tables = [];

    protected override async Task<IMembershipTable> CreateTableAsync()
    {
        // A fresh cluster ID is a fresh, empty table: rows and version are per cluster.
        var table = new PostgresMembershipTable(await MigratedDatabase.GetAsync(server), MigratedDatabase.NewClusterId());
        _tables.Add(table);
        await table.InitializeAsync();
        return table;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
    }
}
