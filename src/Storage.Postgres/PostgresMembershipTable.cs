using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;

namespace WellWon.Storage.Postgres;

/// <summary>
/// The cluster membership table in PostgreSQL (tables <c>cluster_membership_version</c> and
/// <c>cluster_members</c> of migrations 0001 and 0002), for one cluster ID.
/// </summary>
/// <remarks>
/// <para>
/// Inserts and updates each run in one transaction that first does
/// <c>UPDATE cluster_membership_version SET version = version + 1 WHERE cluster_id = @c AND version = @expected</c>
/// and goes on only if that changed one row; the row lock it takes serializes concurrent writers of the
/// cluster, and a writer whose snapshot is stale changes nothing. An update also requires the row's
/// <c>etag</c> column to equal the held etag and increments it. The worker-ID lease is enforced by the
/// partial unique index <c>cluster_members_live_worker_id</c> (every status but Dead): an insert or update
/// that would share a live worker ID gets a unique violation, which is reported as <c>false</c>.
/// </para>
/// <para>
/// Status is stored as the number of <see cref="SiloStatus"/>; times as <c>timestamptz</c> in UTC with
/// PostgreSQL's microsecond precision (finer ticks are truncated); a negative worker ID as NULL (read back
/// as -1); suspicion votes as a jsonb array of <c>{"silo": "host:port@generation", "at": "ISO 8601 UTC"}</c>.
/// The schema must be migrated first (<see cref="PostgresMigrator"/>).
/// </para>
/// </remarks>
public sealed class PostgresMembershipTable : IMembershipTable, IAsyncDisposable, IDisposable
{
    private const string Columns =
        "silo_address, silo_name, status, start_time, i_am_alive_time, suspect_times, proxy_port, worker_id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _clusterId;

    /// <summary>Creates a table for <paramref name="clusterId"/> that takes connections from <paramref name="dataSource"/> (not disposed by this table).</summary>
    public PostgresMembershipTable(NpgsqlDataSource dataSource, string clusterId)
        : this(dataSource, clusterId, ownsDataSource: false)
    {
    }

    /// <summary>Creates a table for <paramref name="clusterId"/> with its own connection pool; dispose the table to close it.</summary>
    public PostgresMembershipTable(string connectionString, string clusterId)
        : this(CreateDataSource(connectionString), clusterId, ownsDataSource: true)
    {
    }

    private PostgresMembershipTable(NpgsqlDataSource dataSource, string clusterId, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _dataSource = dataSource;
        _clusterId = clusterId;
        _ownsDataSource = ownsDataSource;
    }

    /// <summary>The cluster whose rows this table reads and writes.</summary>
    public string ClusterId => _clusterId;

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "INSERT INTO cluster_membership_version (cluster_id) VALUES (@cluster) ON CONFLICT (cluster_id) DO NOTHING",
            connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The cluster has no version row: <see cref="InitializeAsync"/> was not called.</exception>
    public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        // One statement, so the version and the rows come from one snapshot.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT v.version, m.etag, m.silo_address, m.silo_name, m.status, m.start_time, m.i_am_alive_time,
                   m.suspect_times, m.proxy_port, m.worker_id
              FROM cluster_membership_version v
              LEFT JOIN cluster_members m ON m.cluster_id = v.cluster_id
             WHERE v.cluster_id = @cluster
            """,
            connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        long? version = null;
        var entries = new List<(MembershipEntry Entry, string ETag)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                continue; // The cluster has no members: the LEFT JOIN's single row of NULLs.
            }

            var etag = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture);
            var entry = new MembershipEntry(
                SiloAddress.Parse(reader.GetString(2)),
                reader.GetString(3),
                (SiloStatus)reader.GetInt32(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(9) ? -1 : reader.GetInt32(9))
            {
                Suspicions = ReadVotes(reader.GetString(7)),
                GatewayPort = reader.IsDBNull(8) ? null : reader.GetInt32(8),
            };
            entries.Add((entry, etag));
        }

        return version is { } v
            ? new MembershipTableData(v, entries)
            : throw new InvalidOperationException(
                $"Cluster '{_clusterId}' has no row in cluster_membership_version; call InitializeAsync first.");
    }

    /// <inheritdoc/>
    public async Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TryBumpVersionAsync(connection, transaction, expectedTableVersion, cancellationToken).ConfigureAwait(false))
        {
            return false; // Disposing the transaction rolls it back.
        }

        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO cluster_members (cluster_id, {Columns}, etag)
            VALUES (@cluster, @silo, @name, @status, @start, @alive, @votes, @gateway, @worker, 1)
            """,
            connection,
            transaction);
        AddRowParameters(command, entry);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The silo already has a row (primary key) or a live member holds the worker ID (partial index).
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var expectedEtag))
        {
            return false; // Not an etag this table issued, so it cannot match.
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TryBumpVersionAsync(connection, transaction, expectedTableVersion, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await using var command = new NpgsqlCommand(
            """
            UPDATE cluster_members
               SET silo_name = @name, status = @status, start_time = @start, i_am_alive_time = @alive,
                   suspect_times = @votes, proxy_port = @gateway, worker_id = @worker, etag = etag + 1
             WHERE cluster_id = @cluster AND silo_address = @silo AND etag = @etag
            """,
            connection,
            transaction);
        AddRowParameters(command, entry);
        command.Parameters.AddWithValue("etag", expectedEtag);
        int changed;
        try
        {
            changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false; // The new worker ID (or a revived status) collides with a live member.
        }

        if (changed != 1)
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "UPDATE cluster_members SET i_am_alive_time = @alive WHERE cluster_id = @cluster AND silo_address = @silo",
            connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("silo", silo.ToString());
        command.Parameters.AddWithValue("alive", time.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> CleanupDefunctAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "DELETE FROM cluster_members WHERE cluster_id = @cluster AND status = @dead AND i_am_alive_time < @cutoff",
            connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("dead", (int)SiloStatus.Dead);
        command.Parameters.AddWithValue("cutoff", olderThan.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection pool if this table created it.</summary>
    public ValueTask DisposeAsync() => _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Closes the connection pool if this table created it.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    internal static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return NpgsqlDataSource.Create(connectionString);
    }

    private async Task<bool> TryBumpVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long expectedTableVersion, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE cluster_membership_version SET version = version + 1, updated_at = now()
             WHERE cluster_id = @cluster AND version = @expected
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("expected", expectedTableVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private void AddRowParameters(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("silo", entry.Silo.ToString());
        command.Parameters.AddWithValue("name", entry.SiloName);
        command.Parameters.AddWithValue("status", (int)entry.Status);
        command.Parameters.AddWithValue("start", entry.StartTime.ToUniversalTime());
        command.Parameters.AddWithValue("alive", entry.IAmAliveTime.ToUniversalTime());
        command.Parameters.Add(new NpgsqlParameter("votes", NpgsqlDbType.Jsonb) { Value = WriteVotes(entry.Suspicions) });
        command.Parameters.Add(new NpgsqlParameter("gateway", NpgsqlDbType.Integer) { Value = entry.GatewayPort is { } port ? port : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("worker", NpgsqlDbType.Integer) { Value = entry.WorkerId >= 0 ? entry.WorkerId : DBNull.Value });
    }

    internal static string WriteVotes(IReadOnlyList<SuspicionVote> votes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var vote in votes)
            {
                json.WriteStartObject();
                json.WriteString("silo", vote.Voter.ToString());
                json.WriteString("at", vote.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static IReadOnlyList<SuspicionVote> ReadVotes(string json)
    {
        using var document = JsonDocument.Parse(json);
        var votes = new List<SuspicionVote>(document.RootElement.GetArrayLength());
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var silo = SiloAddress.Parse(element.GetProperty("silo").GetString() ?? "");
            var at = DateTimeOffset.Parse(
                element.GetProperty("at").GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            votes.Add(new SuspicionVote(silo, at));
        }

        return votes;
    }
}
