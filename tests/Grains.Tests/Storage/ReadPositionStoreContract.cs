using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IReadPositionStore"/> must do.</summary>
public abstract class ReadPositionStoreContract<TStore>
    where TStore : IReadPositionStore
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task A_user_who_read_nothing_has_no_position()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Guid.NewGuid(), Guid.NewGuid(), None));
        Assert.Empty(await store.GetForUserAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task The_position_moves_forward()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        Assert.Equal(100, await store.AdvanceAsync(channel, user, 100, None));
        Assert.Equal(200, await store.AdvanceAsync(channel, user, 200, None));

        Assert.Equal(200, await store.GetAsync(channel, user, None));
    }

    [Fact]
    public async Task The_position_never_moves_backwards()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.AdvanceAsync(channel, user, 200, None);

        Assert.Equal(200, await store.AdvanceAsync(channel, user, 100, None));
        Assert.Equal(200, await store.AdvanceAsync(channel, user, 200, None));

        Assert.Equal(200, await store.GetAsync(channel, user, None));
    }

    [Fact]
    public async Task Racing_advances_end_at_the_largest()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        await Task.WhenAll(Enumerable.Range(1, 64).Select(i => Task.Run(() => store.AdvanceAsync(channel, user, i, None))));

        Assert.Equal(64, await store.GetAsync(channel, user, None));
    }

    [Fact]
    public async Task Positions_are_per_channel_and_per_user()
    {
        var store = await CreateStoreAsync();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        await store.AdvanceAsync(a, alice, 10, None);
        await store.AdvanceAsync(b, alice, 20, None);
        await store.AdvanceAsync(a, bob, 30, None);

        Assert.Equal(10, await store.GetAsync(a, alice, None));
        Assert.Equal(20, await store.GetAsync(b, alice, None));
        Assert.Equal(30, await store.GetAsync(a, bob, None));
        Assert.Null(await store.GetAsync(b, bob, None));
        Assert.Equal(
            [new ReadPosition(a, alice, 10), new ReadPosition(b, alice, 20)],
            (await store.GetForUserAsync(alice, None)).OrderBy(p => p.LastReadMessageId));
    }

    [Fact]
    public async Task A_returned_position_list_is_a_copy_not_the_stores_own()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.AdvanceAsync(channel, user, 10, None);

        var positions = await store.GetForUserAsync(user, None);
        Aliasing.TryOverwrite(positions, 0, new ReadPosition(channel, user, 1));

        Assert.Equal([new ReadPosition(channel, user, 10)], await store.GetForUserAsync(user, None));
    }
}
