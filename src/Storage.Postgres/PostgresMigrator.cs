using Npgsql;

namespace WellWon.Storage.Postgres;

/// <summary>
/// Brings a PostgreSQL database up to the schema in <c>database/postgres</c>: applies each
/// migration not yet recorded in <c>schema_migrations</c>, in version order, each in its own
/// transaction together with its record.
/// </summary>
/// <remarks>
/// Safe to run from every silo at startup: a transaction-scoped advisory lock serializes
/// concurrent runs, so exactly one applies each migration and the others find it recorded.
/// Idempotent: a run with nothing pending changes nothing. Refuses with
/// <see cref="MigrationChecksumException"/> when an applied migration's file has changed.
/// Versions recorded in the database but unknown to this code (a newer build already migrated)
/// are left alone. Migrations run inside a transaction, so they cannot use statements such as
/// <c>CREATE INDEX CONCURRENTLY</c>.
/// </remarks>
public sealed class PostgresMigrator
{
    // Arbitrary but fixed: every process that migrates this schema must use the same key.
    // "WELLWON" in ASCII followed by 1.
    internal const long AdvisoryLockKey = 0x57454C4C574F4E01;

    private readonly Func<CancellationToken, ValueTask<NpgsqlConnection>> _open;
    private readonly Migration[] _migrations;

    /// <summary>Creates a migrator for the embedded migrations.</summary>
    public PostgresMigrator(string connectionString)
        : this(connectionString, Migration.Embedded)
    {
    }

    /// <summary>Creates a migrator for the given migrations (tests and tools; services use the embedded set).</summary>
    public PostgresMigrator(string connectionString, IEnumerable<Migration> migrations)
        : this(OpenFrom(connectionString), migrations)
    {
    }

    /// <summary>Creates a migrator for the embedded migrations that takes connections from <paramref name="dataSource"/>.</summary>
    public PostgresMigrator(NpgsqlDataSource dataSource)
        : this(dataSource, Migration.Embedded)
    {
    }

    /// <summary>Creates a migrator for the given migrations that takes connections from <paramref name="dataSource"/>.</summary>
    public PostgresMigrator(NpgsqlDataSource dataSource, IEnumerable<Migration> migrations)
        : this(OpenFrom(dataSource), migrations)
    {
    }

    private PostgresMigrator(Func<CancellationToken, ValueTask<NpgsqlConnection>> open, IEnumerable<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        _open = open;
        _migrations = migrations.OrderBy(m => m.Version).ToArray();
        var duplicate = _migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"Migration version {duplicate.Key:D4} is used by more than one file: {string.Join(", ", duplicate.Select(m => m.Name))}.",
                nameof(migrations));
        }
    }

    /// <summary>The migrations this migrator applies, in version order.</summary>
    public IReadOnlyList<Migration> Migrations => _migrations;

    /// <summary>Applies every pending migration and returns what was applied.</summary>
    /// <exception cref="MigrationChecksumException">An applied migration's file has changed.</exception>
    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var applied = new List<int>();
        IReadOnlyList<int>? alreadyApplied = null;

        // One transaction per migration, each re-reading the record under the lock, so a
        // concurrent runner that got there first is noticed and a failed migration leaves the
        // earlier ones committed.
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", AdvisoryLockKey)).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     int         PRIMARY KEY,
                    name        text        NOT NULL,
                    checksum    text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken).ConfigureAwait(false);

            var recorded = await ReadRecordedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            alreadyApplied ??= _migrations.Where(m => recorded.ContainsKey(m.Version)).Select(m => m.Version).ToArray();

            var next = Verify(recorded);
            if (next is null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new MigrationResult(applied, alreadyApplied);
            }

            await ExecuteAsync(connection, transaction, next.Sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, now())",
                cancellationToken,
                ("version", next.Version), ("name", next.Name), ("checksum", next.Checksum)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(next.Version);
        }
    }

    // Checks every recorded migration this code knows and returns the first pending one.
    private Migration? Verify(Dictionary<int, string> recorded)
    {
        Migration? next = null;
        foreach (var migration in _migrations)
        {
            if (recorded.TryGetValue(migration.Version, out var checksum))
            {
                if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new MigrationChecksumException(migration.Version, migration.Name, checksum, migration.Checksum);
                }
            }
            else
            {
                next ??= migration;
            }
        }

        return next;
    }

    private static async Task<Dictionary<int, string>> ReadRecordedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var recorded = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            recorded[reader.GetInt32(0)] = reader.GetString(1);
        }

        return recorded;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        // No command timeout: a migration or the wait for another runner's lock may take long;
        // the caller's cancellation token bounds it instead.
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Func<CancellationToken, ValueTask<NpgsqlConnection>> OpenFrom(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return async cancellationToken =>
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        };
    }

    private static Func<CancellationToken, ValueTask<NpgsqlConnection>> OpenFrom(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return dataSource.OpenConnectionAsync;
    }
}
