using System.Diagnostics;
using WellWon.Runtime.Cluster;
using WellWon.Storage.Postgres;
using WellWon.Testing;
using Xunit.Abstractions;

namespace WellWon.Runtime.Tests.Cluster;

/// <summary>The cluster scenarios with membership and grain state in a real PostgreSQL server.</summary>
[Collection("cluster")]
public sealed class PostgresClusterTests(PostgresClusterFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string TallyType = typeof(ITallyGrain).FullName!;

    private async Task<TestCluster> StartAsync(int silos)
    {
        var clusterId = "pg-" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await postgres.CreateMigratedDatabaseAsync(clusterId.Replace('-', '_'));
        var table = new PostgresMembershipTable(connectionString, clusterId);
        var storage = new PostgresGrainStorage(connectionString);
        return await TestCluster.StartAsync(silos, table: table, storage: storage, clusterId: clusterId);
    }

    [Fact]
    public async Task Silos_join_through_PostgreSQL_spread_grains_and_lease_distinct_worker_ids()
    {
        await using var cluster = await StartAsync(3);
        await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));
        Assert.All(cluster.LiveSilos, s => Assert.InRange(s.ActivationCount, 750, 1250));
        Assert.Equal(3, cluster.LiveSilos.Select(s => s.WorkerId).Distinct().Count());
        Assert.Equal(2, await cluster.LiveSilos[2].Grains.GetGrain<ITallyGrain>(5).Add(1));
    }

    [Fact]
    public async Task Grain_state_in_PostgreSQL_survives_its_silo_being_killed()
    {
        await using var cluster = await StartAsync(3);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(10)));
        var victim = cluster.LiveSilos[0];
        var hosted = Enumerable.Range(0, 200).Where(i => victim.HasActivation(GrainId.Create(TallyType, i))).ToHashSet();
        Assert.NotEmpty(hosted);

        var clock = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        while (hosted.Count > 0 && clock.Elapsed < Bound)
        {
            foreach (var i in hosted.ToList())
            {
                try
                {
                    Assert.Equal(11, await cluster.Client.GetGrain<ITallyGrain>(i).Add(1));
                    hosted.Remove(i);
                }
                catch (Exception e) when (e is SiloUnavailableException or TimeoutException)
                {
                    // Not yet re-routed; try again.
                }
            }
        }

        output.WriteLine($"grains of the killed silo answered again after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Empty(hosted);
    }

    [Fact]
    public async Task A_cut_off_silo_is_declared_dead_in_PostgreSQL_and_a_new_silo_takes_its_share()
    {
        await using var cluster = await StartAsync(3);
        var victim = cluster.LiveSilos[1];
        TestCluster.Isolate(victim);
        await victim.DeclaredDead.WaitAsync(Bound);
        await cluster.WaitForStableViewAsync(Bound);

        var added = await cluster.StartSiloAsync();
        await cluster.WaitForStableViewAsync(Bound);
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));
        Assert.True(added.ActivationCount > 0);
        await Eventually.WaitUntil(
            () => Enumerable.Range(0, 300).All(i => cluster.LiveSilos.Count(s => s.HasActivation(GrainId.Create(TallyType, i))) == 1),
            Bound,
            "each grain to be active on exactly one silo");
    }
}

/// <summary>A private PostgreSQL server with the schema migrated.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private readonly PostgresServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    /// <summary>A fresh database per test: grain state is keyed by grain, so tests must not share one.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(string name)
    {
        var connectionString = await _server.CreateDatabaseAsync(name);
        await new PostgresMigrator(connectionString).MigrateAsync();
        return connectionString;
    }

    public Task DisposeAsync() => _server.DisposeAsync();
}
