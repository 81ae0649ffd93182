using System.Globalization;
using Npgsql;
using WellWon.Runtime;
using WellWon.Runtime.Serialization;

namespace WellWon.Storage.Postgres;

/// <summary>
/// Grain storage in the PostgreSQL table <c>grain_state</c>: one row per (grain type, grain key, state name)
/// holding the state serialized by <see cref="Serializer"/> and a version that is the etag.
/// </summary>
/// <remarks>
/// Optimistic concurrency exactly like <c>MemoryGrainStorage</c>: the first write (etag null) inserts version 1
/// and loses to any existing row; later writes update <c>WHERE version = @etag</c> and increment it; a clear
/// deletes <c>WHERE version = @etag</c>. A write or clear that changes no row throws
/// <see cref="InconsistentStateException"/>. Any silo reading the row gets the same state and etag, so a
/// grain that moves to another silo continues from what the previous owner wrote. The schema must be migrated
/// first (<see cref="PostgresMigrator"/>).
/// </remarks>
public sealed class PostgresGrainStorage : IGrainStorage, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>Creates a provider that takes connections from <paramref name="dataSource"/> (not disposed by this provider).</summary>
    public PostgresGrainStorage(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <summary>Creates a provider with its own connection pool; dispose the provider to close it.</summary>
    public PostgresGrainStorage(string connectionString)
    {
        _dataSource = PostgresMembershipTable.CreateDataSource(connectionString);
        _ownsDataSource = true;
    }

    /// <inheritdoc/>
    public async Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT payload, version FROM grain_state WHERE grain_type = @type AND grain_key = @key AND state_name = @state",
            connection);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var payload = reader.GetFieldValue<byte[]>(0);
            var version = reader.GetInt64(1);
            grainState.State = Serializer.Deserialize<TState>(payload);
            grainState.ETag = ToETag(version);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = Serializer.Serialize(grainState.State);
        var held = grainState.ETag;
        long? expected = null;
        if (held is not null)
        {
            expected = ParseETag(held)
                ?? throw new InconsistentStateException(
                    $"Version conflict writing state '{stateName}' of {grainId}: '{held}' is not an etag of this storage.", null, held);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            expected is null
                ? """
                  INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version, updated_at)
                  VALUES (@type, @key, @state, @payload, 1, now())
                  ON CONFLICT (grain_type, grain_key, state_name) DO NOTHING
                  RETURNING version
                  """
                : """
                  UPDATE grain_state SET payload = @payload, version = version + 1, updated_at = now()
                   WHERE grain_type = @type AND grain_key = @key AND state_name = @state AND version = @expected
                  RETURNING version
                  """,
            connection);
        AddKey(command, stateName, grainId);
        command.Parameters.AddWithValue("payload", payload);
        if (expected is { } e)
        {
            command.Parameters.AddWithValue("expected", e);
        }

        var written = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (written is not long version)
        {
            var stored = await ReadVersionAsync(connection, stateName, grainId, cancellationToken).ConfigureAwait(false);
            throw new InconsistentStateException(
                $"Version conflict writing state '{stateName}' of {grainId}: stored etag {stored ?? "(none)"}, activation holds {held ?? "(none)"}.",
                stored,
                held);
        }

        grainState.ETag = ToETag(version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var held = grainState.ETag;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            // Nothing was read, so clearing succeeds only if nothing is stored.
            var stored = await ReadVersionAsync(connection, stateName, grainId, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw new InconsistentStateException(
                    $"Version conflict clearing state '{stateName}' of {grainId}: stored etag {stored}, activation holds (none).", stored, null);
            }
        }
        else
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM grain_state WHERE grain_type = @type AND grain_key = @key AND state_name = @state AND version = @expected",
                connection);
            AddKey(command, stateName, grainId);
            command.Parameters.AddWithValue("expected", ParseETag(held) ?? 0L);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                var stored = await ReadVersionAsync(connection, stateName, grainId, cancellationToken).ConfigureAwait(false);
                throw new InconsistentStateException(
                    stored is null
                        ? $"State '{stateName}' of {grainId} was already deleted."
                        : $"Version conflict clearing state '{stateName}' of {grainId}: stored etag {stored}, activation holds {held}.",
                    stored,
                    held);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Closes the connection pool if this provider created it.</summary>
    public ValueTask DisposeAsync() => _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Closes the connection pool if this provider created it.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    // Decides a clear with no etag; otherwise only feeds the exception (the WHERE clause decided the conflict).
    private static async Task<string?> ReadVersionAsync(NpgsqlConnection connection, string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT version FROM grain_state WHERE grain_type = @type AND grain_key = @key AND state_name = @state",
            connection);
        AddKey(command, stateName, grainId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? ToETag(version) : null;
    }

    private static void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.AddWithValue("type", grainId.Type);
        command.Parameters.AddWithValue("key", grainId.Key);
        command.Parameters.AddWithValue("state", stateName);
    }

    private static string ToETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static long? ParseETag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
}
