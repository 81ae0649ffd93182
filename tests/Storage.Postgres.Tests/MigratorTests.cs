using Npgsql;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MigratorTests(PostgresServer server)
{
    private const string WaitingForAdvisoryLock = """
        SELECT count(*) FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """;

    [Fact]
    public void The_runtime_migration_is_embedded_in_the_assembly()
    {
        var migration = Assert.Single(Migration.Embedded, m => m.Version == 1);
        Assert.Equal("runtime", migration.Name);
        Assert.Contains("CREATE TABLE cluster_members", migration.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_embedded_migration_matches_the_file_in_database_postgres()
    {
        var file = Path.Combine(RepositoryRoot(), "database", "postgres", "0001_runtime.sql");
        var fromFile = Migration.FromFile(file, File.ReadAllText(file));
        Assert.Equal(fromFile.Checksum, Migration.Embedded.Single(m => m.Version == 1).Checksum);
    }

    [Fact]
    public void Line_endings_do_not_change_the_checksum()
    {
        var lf = new Migration(7, "x", "SELECT 1;\nSELECT 2;\n");
        var crlf = new Migration(7, "x", "\uFEFFSELECT 1;\r\nSELECT 2;\r\n");
        Assert.Equal(lf.Checksum, crlf.Checksum);
    }

    [Fact]
    public void Every_file_in_database_postgres_is_embedded_with_the_same_checksum()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot(), "database", "postgres"), "*.sql")
            .Select(f => Migration.FromFile(f, File.ReadAllText(f)))
            .OrderBy(m => m.Version)
            .Select(m => (m.Version, m.Name, m.Checksum));

        Assert.Equal(files, Migration.Embedded.OrderBy(m => m.Version).Select(m => (m.Version, m.Name, m.Checksum)));
    }

    [Fact]
    public async Task Migrating_an_empty_database_applies_every_migration_in_order_and_records_it()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_empty"));

        var result = await new PostgresMigrator(db).MigrateAsync();

        Assert.Equal(EmbeddedVersions, result.Applied);
        Assert.Empty(result.AlreadyApplied);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        Assert.Equal(
            ["cluster_members", "cluster_membership_version", "grain_state", "schema_migrations"],
            await ListAsync(connection, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"));
        Assert.Equal(
            Migration.Embedded.OrderBy(m => m.Version).Select(m => $"{m.Version} {m.Name} {m.Checksum}"),
            await ListAsync(connection, "SELECT version || ' ' || name || ' ' || checksum FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task Running_the_migrator_again_is_a_no_op()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_twice"));
        await new PostgresMigrator(db).MigrateAsync();
        var appliedAt = await ScalarAsync<DateTime>(db, "SELECT applied_at FROM schema_migrations WHERE version = 1");

        var again = await new PostgresMigrator(db).MigrateAsync();

        Assert.Empty(again.Applied);
        Assert.Equal(EmbeddedVersions, again.AlreadyApplied);
        Assert.Equal((long)EmbeddedVersions.Length, await ScalarAsync<long>(db, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(appliedAt, await ScalarAsync<DateTime>(db, "SELECT applied_at FROM schema_migrations WHERE version = 1"));
    }

    [Fact]
    public async Task Concurrent_runs_both_succeed_and_apply_each_migration_once()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_race"));
        // A slow second migration widens the window in which both runners are inside MigrateAsync.
        var migrations = Migration.Embedded.Append(new Migration(NextVersion, "slow", "SELECT pg_sleep(0.3); CREATE TABLE slow_marker (id int);")).ToArray();

        // Pooling off: the two runners must hold two distinct server sessions.
        var unpooled = new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString;
        var results = await Task.WhenAll(
            Task.Run(() => new PostgresMigrator(unpooled, migrations).MigrateAsync()),
            Task.Run(() => new PostgresMigrator(unpooled, migrations).MigrateAsync()));

        Assert.Equal([.. EmbeddedVersions, NextVersion], results.SelectMany(r => r.Applied).Order());
        Assert.Equal(EmbeddedVersions.Length + 1L, await ScalarAsync<long>(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_runner_waits_for_the_advisory_lock_held_by_another()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_lock"));
        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", holder))
        {
            take.Parameters.AddWithValue("key", PostgresMigrator.AdvisoryLockKey);
            await take.ExecuteNonQueryAsync();
        }

        var migration = Task.Run(() => new PostgresMigrator(db).MigrateAsync());
        await Eventually.WaitUntil(
            async () => await ScalarAsync<long>(db, WaitingForAdvisoryLock) == 1,
            TimeSpan.FromSeconds(30),
            "the migrator to queue behind the held advisory lock");
        Assert.False(migration.IsCompleted);

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", holder))
        {
            release.Parameters.AddWithValue("key", PostgresMigrator.AdvisoryLockKey);
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(EmbeddedVersions, (await migration.WaitAsync(TimeSpan.FromSeconds(30))).Applied);
    }

    [Fact]
    public async Task A_changed_file_of_an_applied_migration_is_refused()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_edit"));
        await new PostgresMigrator(db).MigrateAsync();
        var original = Migration.Embedded.Single(m => m.Version == 1);
        var edited = new Migration(1, original.Name, original.Sql + "\nCREATE TABLE sneaky (id int);\n");

        var error = await Assert.ThrowsAsync<MigrationChecksumException>(
            () => new PostgresMigrator(db, [edited]).MigrateAsync());

        Assert.Equal(1, error.Version);
        Assert.Equal(original.Checksum, error.AppliedChecksum);
        Assert.Contains("0001_runtime", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sneaky'"));
    }

    [Fact]
    public async Task A_failing_migration_leaves_no_record_and_keeps_earlier_ones()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_fail"));
        var broken = Migration.Embedded.Append(new Migration(NextVersion, "broken", "CREATE TABLE half_done (id int); SELECT no_such_function();")).ToArray();

        await Assert.ThrowsAsync<PostgresException>(() => new PostgresMigrator(db, broken).MigrateAsync());

        Assert.Equal((long)EmbeddedVersions.Length, await ScalarAsync<long>(db, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'"));
    }

    [Fact]
    public async Task Migration_0002_refuses_to_renumber_member_rows_written_under_0001()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("mig_0002"));
        await new PostgresMigrator(db, Migration.Embedded.Where(m => m.Version == 1)).MigrateAsync();
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO cluster_membership_version (cluster_id) VALUES ('blue');
                INSERT INTO cluster_members (cluster_id, silo_address, silo_name, status, start_time, i_am_alive_time, worker_id)
                VALUES ('blue', '10.0.0.1:11111@1', 'silo', 6, now(), now(), 7);
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => new PostgresMigrator(db).MigrateAsync());

        Assert.Contains("cluster_members is not empty", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void Two_files_with_one_version_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresMigrator(
            "Host=unused", [new Migration(3, "a", ""), new Migration(3, "b", "")]));
        Assert.Contains("0003", error.Message, StringComparison.Ordinal);
    }

    // The real migrations, in order; tests that need an extra one use the next free version.
    private static int[] EmbeddedVersions => [.. Migration.Embedded.Select(m => m.Version).Order()];

    private static int NextVersion => Migration.Embedded.Max(m => m.Version) + 1;

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WellWon.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No WellWon.sln above {AppContext.BaseDirectory}.");
    }
}
