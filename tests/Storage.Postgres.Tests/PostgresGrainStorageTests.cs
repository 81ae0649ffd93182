using WellWon.Runtime;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresServer server) : IAsyncLifetime
{
    private const string StateName = "profile";
    private readonly List<PostgresGrainStorage> _storages = [];
    private readonly GrainId _grain = GrainId.Create("user", Guid.NewGuid());
    private PostgresGrainStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await StorageAsync();

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_finds_no_record_and_no_etag()
    {
        var state = new TestState(["untouched"]);

        await _storage.ReadStateAsync(StateName, _grain, state, default);

        Assert.Equal((false, (string?)null), (state.RecordExists, state.ETag));
        Assert.Equal(["untouched"], state.State);
    }

    [Fact]
    public async Task Write_read_write_and_clear_round_trip_with_the_version_as_etag()
    {
        var state = new TestState(["a"]);
        await _storage.WriteStateAsync(StateName, _grain, state, default);
        Assert.Equal(("1", true), (state.ETag, state.RecordExists));

        var read = new TestState([]);
        await _storage.ReadStateAsync(StateName, _grain, read, default);
        Assert.Equal(["a"], read.State);
        Assert.Equal(("1", true), (read.ETag, read.RecordExists));

        read.State = ["a", "b"];
        await _storage.WriteStateAsync(StateName, _grain, read, default);
        Assert.Equal("2", read.ETag);

        await _storage.ClearStateAsync(StateName, _grain, read, default);
        Assert.Equal(((string?)null, false), (read.ETag, read.RecordExists));

        var afterClear = new TestState([]);
        await _storage.ReadStateAsync(StateName, _grain, afterClear, default);
        Assert.False(afterClear.RecordExists);

        // Cleared state starts over like a grain that never wrote.
        await _storage.WriteStateAsync(StateName, _grain, afterClear, default);
        Assert.Equal("1", afterClear.ETag);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_rejected_and_leaves_the_stored_state_alone()
    {
        var first = new TestState(["v1"]);
        await _storage.WriteStateAsync(StateName, _grain, first, default);
        var stale = new TestState(["stale"]) { ETag = first.ETag, RecordExists = true };
        first.State = ["v2"];
        await _storage.WriteStateAsync(StateName, _grain, first, default);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync(StateName, _grain, stale, default));

        Assert.Equal(("2", "1"), (error.StoredEtag, error.CurrentEtag));
        Assert.Equal("1", stale.ETag);
        Assert.Equal(["v2"], await ReadAsync(_storage));
    }

    [Fact]
    public async Task A_first_write_without_an_etag_loses_to_an_existing_record()
    {
        await _storage.WriteStateAsync(StateName, _grain, new TestState(["existing"]), default);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync(StateName, _grain, new TestState(["blind"]), default));

        Assert.Equal(("1", (string?)null), (error.StoredEtag, error.CurrentEtag));
        Assert.Equal(["existing"], await ReadAsync(_storage));
    }

    [Fact]
    public async Task Of_writers_racing_on_the_same_etag_exactly_one_wins()
    {
        var seed = new TestState(["seed"]);
        await _storage.WriteStateAsync(StateName, _grain, seed, default);
        var writers = new List<(PostgresGrainStorage Storage, TestState State)>();
        for (var i = 0; i < 8; i++)
        {
            writers.Add((await StorageAsync(), new TestState([$"writer-{i}"]) { ETag = seed.ETag, RecordExists = true }));
        }

        var outcomes = await Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            try
            {
                await w.Storage.WriteStateAsync(StateName, _grain, w.State, default);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        })));

        var winner = Assert.Single(writers.Where((_, i) => outcomes[i]));
        Assert.Equal("2", winner.State.ETag);
        Assert.Equal(winner.State.State, await ReadAsync(_storage));
    }

    [Fact]
    public async Task Of_first_writers_racing_without_an_etag_exactly_one_wins()
    {
        var writers = new List<(PostgresGrainStorage Storage, TestState State)>();
        for (var i = 0; i < 8; i++)
        {
            writers.Add((await StorageAsync(), new TestState([$"writer-{i}"])));
        }

        var outcomes = await Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            try
            {
                await w.Storage.WriteStateAsync(StateName, _grain, w.State, default);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        })));

        var winner = Assert.Single(writers.Where((_, i) => outcomes[i]));
        Assert.Equal("1", winner.State.ETag);
        Assert.Equal(winner.State.State, await ReadAsync(_storage));
    }

    [Fact]
    public async Task A_clear_with_a_stale_etag_is_rejected_and_keeps_the_record()
    {
        var state = new TestState(["v1"]);
        await _storage.WriteStateAsync(StateName, _grain, state, default);
        var stale = new TestState([]) { ETag = state.ETag, RecordExists = true };
        await _storage.WriteStateAsync(StateName, _grain, state, default);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.ClearStateAsync(StateName, _grain, stale, default));

        Assert.Equal(("2", "1"), (error.StoredEtag, error.CurrentEtag));
        Assert.Equal(["v1"], await ReadAsync(_storage));
    }

    [Fact]
    public async Task Clearing_a_record_someone_else_already_deleted_is_a_conflict()
    {
        var state = new TestState(["v1"]);
        await _storage.WriteStateAsync(StateName, _grain, state, default);
        var other = new TestState([]) { ETag = state.ETag, RecordExists = true };
        await _storage.ClearStateAsync(StateName, _grain, state, default);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.ClearStateAsync(StateName, _grain, other, default));

        Assert.Equal(((string?)null, "1"), (error.StoredEtag, error.CurrentEtag));
    }

    [Fact]
    public async Task Clearing_without_an_etag_succeeds_when_nothing_is_stored_and_conflicts_when_something_is()
    {
        await _storage.ClearStateAsync(StateName, _grain, new TestState([]), default);
        await _storage.WriteStateAsync(StateName, _grain, new TestState(["v1"]), default);

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.ClearStateAsync(StateName, _grain, new TestState([]), default));

        Assert.Equal(["v1"], await ReadAsync(_storage));
    }

    [Fact]
    public async Task State_written_on_one_silo_is_read_by_the_next_owner_which_continues_under_the_etag_it_read()
    {
        var oldOwner = _storage;
        var newOwner = await StorageAsync();
        var held = new TestState(["joined #general"]);
        await oldOwner.WriteStateAsync(StateName, _grain, held, default);

        // The grain moves: the new owner activates it and reads what the old owner wrote.
        var moved = new TestState([]);
        await newOwner.ReadStateAsync(StateName, _grain, moved, default);
        Assert.Equal(["joined #general"], moved.State);
        Assert.Equal(("1", true), (moved.ETag, moved.RecordExists));
        moved.State = [.. moved.State, "joined #random"];
        await newOwner.WriteStateAsync(StateName, _grain, moved, default);

        // A write from the old owner's leftover activation is stale and cannot overwrite the new owner's.
        held.State = ["lost update"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => oldOwner.WriteStateAsync(StateName, _grain, held, default));
        Assert.Equal(["joined #general", "joined #random"], await ReadAsync(oldOwner));
    }

    [Fact]
    public async Task Records_are_keyed_by_grain_type_grain_key_and_state_name()
    {
        var key = _grain.Key;
        await _storage.WriteStateAsync("a", GrainId.Create("user", key), new TestState(["user/a"]), default);
        await _storage.WriteStateAsync("b", GrainId.Create("user", key), new TestState(["user/b"]), default);
        await _storage.WriteStateAsync("a", GrainId.Create("channel", key), new TestState(["channel/a"]), default);
        await _storage.WriteStateAsync("a", GrainId.Create("user", key + "x"), new TestState(["userx/a"]), default);

        Assert.Equal(["user/a"], await ReadAsync(_storage, "a", GrainId.Create("user", key)));
        Assert.Equal(["user/b"], await ReadAsync(_storage, "b", GrainId.Create("user", key)));
        Assert.Equal(["channel/a"], await ReadAsync(_storage, "a", GrainId.Create("channel", key)));
        Assert.Equal(["userx/a"], await ReadAsync(_storage, "a", GrainId.Create("user", key + "x")));
    }

    [Fact]
    public async Task A_malformed_etag_is_a_conflict()
    {
        await _storage.WriteStateAsync(StateName, _grain, new TestState(["v1"]), default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(
            StateName, _grain, new TestState(["x"]) { ETag = "W/\"1\"", RecordExists = true }, default));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(
            StateName, _grain, new TestState([]) { ETag = "W/\"1\"", RecordExists = true }, default));
    }

    private async Task<List<string>> ReadAsync(PostgresGrainStorage storage, string stateName = StateName, GrainId? grain = null)
    {
        var state = new TestState([]);
        await storage.ReadStateAsync(stateName, grain ?? _grain, state, default);
        Assert.True(state.RecordExists);
        return state.State;
    }

    private async Task<PostgresGrainStorage> StorageAsync()
    {
        // Its own pool per instance, like a separate silo process.
        var storage = new PostgresGrainStorage(await MigratedDatabase.GetAsync(server));
        _storages.Add(storage);
        return storage;
    }

    private sealed class TestState(List<string> state) : IGrainState<List<string>>
    {
        public List<string> State { get; set; } = state;

        public string? ETag { get; set; }

        public bool RecordExists { get; set; }
    }
}
