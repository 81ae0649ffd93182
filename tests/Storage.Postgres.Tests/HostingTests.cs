using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;
using WellWon.Runtime.Membership;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

[GenerateSerializer]
public sealed class ProfileState
{
    [Id(0)]
    public List<string> Channels { get; set; } = [];
}

public interface IProfileGrain : IGrainWithStringKey
{
    /// <summary>Adds a channel, persists, and returns all channels.</summary>
    Task<List<string>> Join(string channel);

    /// <summary>The persisted channels and the etag.</summary>
    Task<(List<string> Channels, string? Etag)> Read();
}

public sealed class ProfileGrain([PersistentState("profile", "pg")] IPersistentState<ProfileState> state) : Grain, IProfileGrain
{
    public async Task<List<string>> Join(string channel)
    {
        state.State.Channels.Add(channel);
        await state.WriteStateAsync();
        return state.State.Channels;
    }

    public Task<(List<string> Channels, string? Etag)> Read() => Task.FromResult((state.State.Channels, state.Etag));
}

[Collection(PostgresCollection.Name)]
public sealed class HostingTests(PostgresServer server)
{
    [Fact]
    public async Task A_silo_host_migrates_the_database_at_start_before_the_silo_runs()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("host_mig"));

        using var host = BuildSilo(db, "blue");
        var first = host.Services.GetServices<IHostedService>().First();
        await host.StartAsync();

        Assert.Equal("PostgresMigrationHostedService", first.GetType().Name);
        Assert.Equal(
            (long)Migration.Embedded.Count,
            await ScalarAsync(db, "SELECT count(*) FROM schema_migrations"));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_membership_table_registration_uses_the_silos_cluster_id_and_the_given_database()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("host_mbr"));
        using var host = BuildSilo(db, "blue");
        await host.StartAsync();

        var table = Assert.IsType<PostgresMembershipTable>(host.Services.GetRequiredService<IMembershipTable>());
        await table.InitializeAsync();
        var (entry, version) = await table.InsertWithWorkerIdAsync(new MembershipEntry(
            new("10.0.0.1", 11111, 1), "silo-1", SiloStatus.Joining, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, -1));

        Assert.Equal(("blue", 0, 1L), (table.ClusterId, entry.WorkerId, version));
        Assert.Equal(1L, await ScalarAsync(db, "SELECT count(*) FROM cluster_members WHERE cluster_id = 'blue'"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_grain_that_moves_to_another_silo_continues_from_the_state_the_first_silo_wrote()
    {
        var db = await MigratedDatabase.GetAsync(server);
        var key = Guid.NewGuid().ToString("N");

        using (var first = BuildSilo(db, "blue"))
        {
            await first.StartAsync();
            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IProfileGrain>(key);
            Assert.Equal(["general"], await grain.Join("general"));
            await first.StopAsync();
        }

        using var second = BuildSilo(db, "blue");
        await second.StartAsync();
        var moved = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IProfileGrain>(key);

        var (channels, etag) = await moved.Read();
        Assert.Equal(["general"], channels);
        Assert.Equal("1", etag);
        Assert.Equal(["general", "random"], await moved.Join("random"));
        await second.StopAsync();
    }

    [Fact]
    public void The_grain_storage_is_a_keyed_service_under_its_name()
    {
        using var host = BuildSilo("Host=127.0.0.1;Database=unused", "blue");

        Assert.IsType<PostgresGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>("pg"));
        Assert.Null(host.Services.GetKeyedService<IGrainStorage>(GrainStorage.DefaultProviderName));
    }

    private static IHost BuildSilo(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddWellWonSilo(o => o.ClusterId = clusterId)
            .AddGrainAssemblyOf<ProfileGrain>()
            .AddPostgresGrainStorage("pg", connectionString)
            .AddPostgresMembershipTable(connectionString);
        return builder.Build();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
