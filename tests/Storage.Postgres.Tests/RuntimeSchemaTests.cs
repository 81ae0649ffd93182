using Npgsql;
using WellWon.Runtime.Membership;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RuntimeSchemaTests(PostgresServer server) : IAsyncLifetime
{
    // The table stores the runtime's SiloStatus numbers (0002 moved the index predicate to them).
    private const int Joining = (int)SiloStatus.Joining;
    private const int Active = (int)SiloStatus.Active;
    private const int ShuttingDown = (int)SiloStatus.ShuttingDown;
    private const int Dead = (int)SiloStatus.Dead;
    private const string UniqueViolation = "23505";

    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("schema"));
        await new PostgresMigrator(_db).MigrateAsync();
        await ExecuteAsync("INSERT INTO cluster_membership_version (cluster_id) VALUES (@c)", ("c", "blue"));
        await ExecuteAsync("INSERT INTO cluster_membership_version (cluster_id) VALUES (@c)", ("c", "green"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_live_silos_of_one_cluster_cannot_hold_the_same_worker_id()
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", Active, workerId: 7);

        var error = await Assert.ThrowsAsync<PostgresException>(() => AddSiloAsync("blue", "10.0.0.2:11111@1", Active, workerId: 7));

        Assert.Equal(UniqueViolation, error.SqlState);
        Assert.Equal("cluster_members_live_worker_id", error.ConstraintName);
    }

    [Theory]
    [InlineData(Joining)]
    [InlineData(ShuttingDown)]
    public async Task A_joining_or_shutting_down_silo_still_holds_its_worker_id(int status)
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", status, workerId: 7);

        var error = await Assert.ThrowsAsync<PostgresException>(() => AddSiloAsync("blue", "10.0.0.2:11111@1", Active, workerId: 7));

        Assert.Equal(UniqueViolation, error.SqlState);
    }

    [Fact]
    public async Task A_worker_id_can_be_reused_once_its_silo_is_marked_dead()
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", Active, workerId: 7);
        await ExecuteAsync("UPDATE cluster_members SET status = @dead WHERE cluster_id = @c AND silo_address = @a",
            ("dead", Dead), ("c", "blue"), ("a", "10.0.0.1:11111@1"));

        await AddSiloAsync("blue", "10.0.0.1:11111@2", Active, workerId: 7);

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM cluster_members WHERE worker_id = 7"));
    }

    [Fact]
    public async Task Dead_silos_may_share_a_worker_id()
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", Dead, workerId: 7);
        await AddSiloAsync("blue", "10.0.0.1:11111@2", Dead, workerId: 7);
        await AddSiloAsync("blue", "10.0.0.1:11111@3", Active, workerId: 7);

        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM cluster_members WHERE worker_id = 7"));
    }

    [Fact]
    public async Task Worker_ids_are_unique_per_cluster_not_across_clusters()
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", Active, workerId: 7);
        await AddSiloAsync("green", "10.0.0.2:11111@1", Active, workerId: 7);

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM cluster_members WHERE worker_id = 7"));
    }

    [Fact]
    public async Task Silos_without_a_worker_id_do_not_conflict()
    {
        await AddSiloAsync("blue", "10.0.0.1:11111@1", Active, workerId: null);
        await AddSiloAsync("blue", "10.0.0.2:11111@1", Active, workerId: null);

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM cluster_members WHERE worker_id IS NULL"));
    }

    [Fact]
    public async Task The_membership_version_row_works_as_a_compare_and_swap_token()
    {
        const string swap = "UPDATE cluster_membership_version SET version = version + 1, updated_at = now() WHERE cluster_id = @c AND version = @expected";

        Assert.Equal(1, await ExecuteAsync(swap, ("c", "blue"), ("expected", 0L)));
        Assert.Equal(0, await ExecuteAsync(swap, ("c", "blue"), ("expected", 0L)));
        Assert.Equal(1L, await CountAsync("SELECT version FROM cluster_membership_version WHERE cluster_id = 'blue'"));
    }

    [Fact]
    public async Task Grain_state_round_trips_a_payload_by_type_key_and_state_name()
    {
        await ExecuteAsync(
            "INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version) VALUES (@t, @k, @s, @p, 1)",
            ("t", "channel"), ("k", "general"), ("s", "state"), ("p", new byte[] { 1, 2, 3 }));

        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            "SELECT payload FROM grain_state WHERE grain_type = @t AND grain_key = @k AND state_name = @s", connection);
        read.Parameters.AddWithValue("t", "channel");
        read.Parameters.AddWithValue("k", "general");
        read.Parameters.AddWithValue("s", "state");
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])(await read.ExecuteScalarAsync())!);
    }

    private Task<int> AddSiloAsync(string cluster, string address, int status, int? workerId) => ExecuteAsync(
        """
        INSERT INTO cluster_members (cluster_id, silo_address, silo_name, status, start_time, i_am_alive_time, proxy_port, worker_id)
        VALUES (@cluster, @address, @name, @status, now(), now(), 30000, @worker)
        """,
        ("cluster", cluster), ("address", address), ("name", "silo-" + address), ("status", status),
        ("worker", workerId is { } w ? w : DBNull.Value));

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }
}
