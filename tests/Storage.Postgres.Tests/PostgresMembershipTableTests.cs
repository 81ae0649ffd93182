using Npgsql;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

/// <summary>What the PostgreSQL membership table must do beyond the shared contract: many processes, the schema's index, the mapping.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipTableTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset _t0 = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
    private readonly List<PostgresMembershipTable> _tables = [];
    private string _db = "";
    private string _cluster = "";

    public async Task InitializeAsync()
    {
        _db = await MigratedDatabase.GetAsync(server);
        _cluster = MigratedDatabase.NewClusterId();
    }

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
    }

    [Fact]
    public async Task Twenty_silos_with_their_own_connection_pools_joining_at_once_get_distinct_worker_ids()
    {
        // Each silo is a separate process in production: its own table instance and pool, one shared database.
        var silos = Enumerable.Range(1, 20).Select(_ => Table()).ToArray();
        await silos[0].InitializeAsync();

        var joins = await Task.WhenAll(silos.Select((table, i) =>
            Task.Run(() => table.InsertWithWorkerIdAsync(Entry(i + 1, workerId: -1)))));

        Assert.Equal(Enumerable.Range(0, 20), joins.Select(j => j.Entry.WorkerId).Order());
        var data = await silos[0].ReadAllAsync();
        Assert.Equal(20, data.Version);
        Assert.Equal(Enumerable.Range(0, 20), data.Entries.Select(e => e.Entry.WorkerId).Order());
        Assert.Equal(20L, await ScalarAsync("SELECT count(DISTINCT worker_id) FROM cluster_members WHERE cluster_id = @c"));
    }

    [Fact]
    public async Task A_dead_members_worker_id_is_taken_by_the_next_joiner_and_the_dead_row_stays_as_history()
    {
        var table = await InitializedTableAsync();
        var (first, _) = await table.InsertWithWorkerIdAsync(Entry(1, workerId: -1));
        var data = await table.ReadAllAsync();
        Assert.True(data.TryGet(Silo(1), out var row, out var etag));
        Assert.True(await table.UpdateRowAsync(row with { Status = SiloStatus.Dead }, etag, data.Version));

        var (second, _) = await table.InsertWithWorkerIdAsync(Entry(2, workerId: -1));

        Assert.Equal((0, 0), (first.WorkerId, second.WorkerId));
        var rows = (await table.ReadAllAsync()).Entries.Select(e => (e.Entry.Silo, e.Entry.Status, e.Entry.WorkerId)).Order();
        Assert.Equal([(Silo(1), SiloStatus.Dead, 0), (Silo(2), SiloStatus.Joining, 0)], rows);
    }

    [Fact]
    public async Task An_insert_refused_by_the_worker_id_index_leaves_the_version_unbumped()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, workerId: 7), 0));

        Assert.False(await table.InsertRowAsync(Entry(2, workerId: 7), 1));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version);
        Assert.True(await table.InsertRowAsync(Entry(2, workerId: 8), 1));
    }

    [Fact]
    public async Task An_update_that_would_revive_a_dead_row_onto_a_taken_worker_id_is_refused_without_bumping_the_version()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, workerId: 3, SiloStatus.Dead), 0));
        Assert.True(await table.InsertRowAsync(Entry(2, workerId: 3, SiloStatus.Active), 1));
        var data = await table.ReadAllAsync();
        Assert.True(data.TryGet(Silo(1), out var dead, out var etag));

        Assert.False(await table.UpdateRowAsync(dead with { Status = SiloStatus.Active }, etag, data.Version));

        var after = await table.ReadAllAsync();
        Assert.Equal(data.Version, after.Version);
        Assert.True(after.TryGet(Silo(1), out var stillDead, out var sameEtag));
        Assert.Equal((SiloStatus.Dead, etag), (stillDead.Status, sameEtag));
    }

    [Fact]
    public async Task Every_field_round_trips_and_times_with_an_offset_come_back_as_the_same_instant_in_utc()
    {
        var table = await InitializedTableAsync();
        var plusTwo = TimeSpan.FromHours(2);
        var entry = new MembershipEntry(Silo(1), "pod-a", SiloStatus.ShuttingDown, new DateTimeOffset(2026, 11, 21, 3, 4, 5, 678, plusTwo), _t0.AddTicks(10), 1023)
        {
            GatewayPort = 30001,
            Suspicions = [new SuspicionVote(Silo(2), new DateTimeOffset(2026, 11, 21, 9, 0, 0, plusTwo).AddTicks(1234560))],
        };

        Assert.True(await table.InsertRowAsync(entry, 0));

        var (stored, _) = Assert.Single((await table.ReadAllAsync()).Entries);
        Assert.Equal(
            (entry.Silo, entry.SiloName, entry.Status, entry.StartTime, entry.IAmAliveTime, entry.WorkerId, entry.GatewayPort),
            (stored.Silo, stored.SiloName, stored.Status, stored.StartTime, stored.IAmAliveTime, stored.WorkerId, stored.GatewayPort));
        Assert.Equal(TimeSpan.Zero, stored.StartTime.Offset);
        Assert.Equal(entry.Suspicions, stored.Suspicions);
    }

    [Fact]
    public async Task A_row_without_a_gateway_or_worker_id_reads_back_as_null_and_minus_one()
    {
        var table = await InitializedTableAsync();

        Assert.True(await table.InsertRowAsync(Entry(1, workerId: -1) with { GatewayPort = null }, 0));

        var (stored, _) = Assert.Single((await table.ReadAllAsync()).Entries);
        Assert.Equal((-1, (int?)null), (stored.WorkerId, stored.GatewayPort));
    }

    [Fact]
    public async Task Status_is_stored_as_the_runtime_enum_number_so_the_index_releases_exactly_dead_worker_ids()
    {
        var table = await InitializedTableAsync();

        Assert.True(await table.InsertRowAsync(Entry(1, workerId: 5, SiloStatus.Dead), 0));

        Assert.Equal((long)(int)SiloStatus.Dead, await ScalarAsync("SELECT status::bigint FROM cluster_members WHERE cluster_id = @c"));
        Assert.Equal(0L, await ScalarAsync(
            "SELECT count(*) FROM cluster_members WHERE cluster_id = @c AND status <> 4 AND worker_id IS NOT NULL"));
    }

    [Fact]
    public async Task Two_clusters_in_one_database_have_their_own_versions_rows_and_worker_ids()
    {
        var blue = await InitializedTableAsync();
        var green = Table(MigratedDatabase.NewClusterId());
        await green.InitializeAsync();
        Assert.True(await blue.InsertRowAsync(Entry(1, workerId: 0), 0));

        Assert.True(await green.InsertRowAsync(Entry(2, workerId: 0), 0));

        Assert.Equal([Silo(1)], (await blue.ReadAllAsync()).Entries.Select(e => e.Entry.Silo));
        Assert.Equal([Silo(2)], (await green.ReadAllAsync()).Entries.Select(e => e.Entry.Silo));
        Assert.Equal((1, 1), ((await blue.ReadAllAsync()).Version, (await green.ReadAllAsync()).Version));
    }

    [Fact]
    public async Task Reading_a_cluster_that_was_never_initialized_says_to_initialize_it()
    {
        var table = Table();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.ReadAllAsync());

        Assert.Contains("InitializeAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_updates_of_one_row_from_the_same_snapshot_let_exactly_one_win()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, workerId: 0), 0));
        var data = await table.ReadAllAsync();
        var (row, etag) = data.Entries[0];
        var voters = Enumerable.Range(2, 8).Select(_ => Table()).ToArray();

        var results = await Task.WhenAll(voters.Select((voter, i) => Task.Run(() => voter.UpdateRowAsync(
            row with { Suspicions = [new SuspicionVote(Silo(i + 2), _t0)] }, etag, data.Version))));

        Assert.Single(results, won => won);
        Assert.Equal(2, (await table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task A_malformed_etag_is_a_conflict_not_an_error()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, workerId: 0), 0));

        Assert.False(await table.UpdateRowAsync(Entry(1, workerId: 0), "not-an-etag", 1));
    }

    private static SiloAddress Silo(int n) => new("10.0.0.1", 20000 + n, 1_700_000_000_000 + n);

    private static MembershipEntry Entry(int n, int workerId, SiloStatus status = SiloStatus.Joining) =>
        new(Silo(n), $"silo-{n}", status, _t0, _t0, workerId) { GatewayPort = 30000 + n };

    private PostgresMembershipTable Table(string? cluster = null)
    {
        var table = new PostgresMembershipTable(_db, cluster ?? _cluster);
        _tables.Add(table);
        return table;
    }

    private async Task<PostgresMembershipTable> InitializedTableAsync()
    {
        var table = Table();
        await table.InitializeAsync();
        return table;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("c", _cluster);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
