using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;

namespace WellWon.Membership.Tests;

/// <summary>
/// The behaviour every <see cref="IMembershipTable"/> must have. An implementation's test class derives from
/// this and supplies <see cref="CreateTableAsync"/>; each call must return an initialized, empty table of a
/// fresh cluster.
/// </summary>
public abstract class MembershipTableContractTests
{
    // Whole milliseconds so that stores with coarser timestamps (PostgreSQL: microseconds) round-trip exactly.
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A new, initialized, empty table.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync();

    protected static SiloAddress Silo(int n) => new("10.0.0.1", 20000 + n, 1_700_000_000_000 + n);

    protected static MembershipEntry Entry(int n, int workerId, SiloStatus status = SiloStatus.Joining) =>
        new(Silo(n), $"silo-{n}", status, T0, T0, workerId);

    [Fact]
    public async Task A_new_table_is_empty_at_version_zero_and_initializing_again_changes_nothing()
    {
        var table = await CreateTableAsync();
        await table.InitializeAsync();

        var data = await table.ReadAllAsync();

        Assert.Equal(0, data.Version);
        Assert.Empty(data.Entries);
    }

    [Fact]
    public async Task An_insert_at_the_current_version_succeeds_and_bumps_the_version()
    {
        var table = await CreateTableAsync();

        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version);
        var (entry, etag) = Assert.Single(data.Entries);
        var expected = Entry(1, 0);
        Assert.Equal(
            (expected.Silo, expected.SiloName, expected.Status, expected.StartTime, expected.IAmAliveTime, expected.WorkerId),
            (entry.Silo, entry.SiloName, entry.Status, entry.StartTime, entry.IAmAliveTime, entry.WorkerId));
        Assert.Empty(entry.Suspicions);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task An_insert_at_a_stale_version_is_rejected()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));

        Assert.False(await table.InsertRowAsync(Entry(2, 1), 0));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version);
        Assert.Single(data.Entries);
    }

    [Fact]
    public async Task A_second_row_for_the_same_silo_is_rejected()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));

        Assert.False(await table.InsertRowAsync(Entry(1, 1), 1));
    }

    [Fact]
    public async Task An_insert_taking_a_worker_id_held_by_a_live_member_is_rejected()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 7), 0));

        Assert.False(await table.InsertRowAsync(Entry(2, 7), 1));
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_rejected_even_at_the_current_version()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));
        var (row, etag) = (await table.ReadAllAsync()).Entries[0];
        Assert.True(await table.UpdateRowAsync(row with { Status = SiloStatus.Active }, etag, 1));

        Assert.False(await table.UpdateRowAsync(row with { Status = SiloStatus.Dead }, etag, 2));

        var data = await table.ReadAllAsync();
        Assert.Equal(2, data.Version);
        Assert.Equal(SiloStatus.Active, data.Entries[0].Entry.Status);
    }

    [Fact]
    public async Task An_update_at_a_stale_version_is_rejected_even_with_the_current_etag()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));
        var (row, etag) = (await table.ReadAllAsync()).Entries[0];
        Assert.True(await table.InsertRowAsync(Entry(2, 1), 1));

        Assert.False(await table.UpdateRowAsync(row with { Status = SiloStatus.Active }, etag, 1));

        var data = await table.ReadAllAsync();
        Assert.True(data.TryGet(Silo(1), out var stored, out var storedEtag));
        Assert.Equal(SiloStatus.Joining, stored.Status);
        Assert.Equal(etag, storedEtag);
    }

    [Fact]
    public async Task A_successful_update_bumps_the_version_changes_the_etag_and_stores_the_votes()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));
        var (row, etag) = (await table.ReadAllAsync()).Entries[0];
        var votes = new[] { new SuspicionVote(Silo(2), T0.AddSeconds(1)), new SuspicionVote(Silo(3), T0.AddSeconds(2)) };

        Assert.True(await table.UpdateRowAsync(row with { Suspicions = votes }, etag, 1));

        var data = await table.ReadAllAsync();
        Assert.Equal(2, data.Version);
        Assert.NotEqual(etag, data.Entries[0].ETag);
        Assert.Equal(votes, data.Entries[0].Entry.Suspicions);
    }

    [Fact]
    public async Task A_heartbeat_updates_the_time_but_neither_the_version_nor_the_etag()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0), 0));
        var etag = (await table.ReadAllAsync()).Entries[0].ETag;

        await table.UpdateIAmAliveAsync(Silo(1), T0.AddSeconds(30));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version);
        Assert.Equal(etag, data.Entries[0].ETag);
        Assert.Equal(T0.AddSeconds(30), data.Entries[0].Entry.IAmAliveTime);
    }

    [Fact]
    public async Task Cleanup_removes_only_dead_rows_older_than_the_cutoff()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1, 0, SiloStatus.Dead), 0));
        Assert.True(await table.InsertRowAsync(Entry(2, 1, SiloStatus.Active), 1));
        Assert.True(await table.InsertRowAsync(Entry(3, 2, SiloStatus.Dead) with { IAmAliveTime = T0.AddHours(2) }, 2));

        var removed = await table.CleanupDefunctAsync(T0.AddHours(1));

        Assert.Equal(1, removed);
        var data = await table.ReadAllAsync();
        Assert.Equal([Silo(2), Silo(3)], data.Entries.Select(e => e.Entry.Silo).Order());
    }

    [Fact]
    public async Task Worker_ids_stay_unique_when_twenty_silos_join_at_once()
    {
        var table = await CreateTableAsync();

        var joins = await Task.WhenAll(Enumerable.Range(1, 20).Select(n =>
            Task.Run(() => table.InsertWithWorkerIdAsync(Entry(n, -1)))));

        Assert.Equal(Enumerable.Range(0, 20), joins.Select(j => j.Entry.WorkerId).Order());
        var data = await table.ReadAllAsync();
        Assert.Equal(20, data.Version);
        Assert.Equal(Enumerable.Range(0, 20), data.Entries.Select(e => e.Entry.WorkerId).Order());
    }

    [Fact]
    public async Task A_worker_id_is_reused_once_its_holder_is_dead()
    {
        var table = await CreateTableAsync();
        var (first, _) = await table.InsertWithWorkerIdAsync(Entry(1, -1));
        var (second, _) = await table.InsertWithWorkerIdAsync(Entry(2, -1));
        Assert.Equal((0, 1), (first.WorkerId, second.WorkerId));
        var data = await table.ReadAllAsync();
        Assert.True(data.TryGet(Silo(1), out var row, out var etag));
        Assert.True(await table.UpdateRowAsync(row with { Status = SiloStatus.Dead }, etag, data.Version));

        var (third, _) = await table.InsertWithWorkerIdAsync(Entry(3, -1));

        Assert.Equal(0, third.WorkerId);
    }
}

public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    protected override async Task<IMembershipTable> CreateTableAsync()
    {
        var table = new InMemoryMembershipTable();
        await table.InitializeAsync();
        return table;
    }
}
