using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IReactionStore"/> must do.</summary>
public abstract class ReactionStoreContract<TStore>
    where TStore : IReactionStore
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task A_message_without_reactions_has_no_counts()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.GetCountsAsync(Guid.NewGuid(), 1, Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Adding_the_same_reaction_twice_counts_once()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        Assert.True(await store.AddAsync(channel, 7, "👍", user, None));
        Assert.False(await store.AddAsync(channel, 7, "👍", user, None));

        Assert.Equal([new ReactionCount("👍", 1, true)], await store.GetCountsAsync(channel, 7, user, None));
    }

    [Fact]
    public async Task Counts_are_per_emoji_and_me_is_per_viewer()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        await store.AddAsync(channel, 7, "b", alice, None);
        await store.AddAsync(channel, 7, "b", bob, None);
        await store.AddAsync(channel, 7, "a", bob, None);

        Assert.Equal(
            [new ReactionCount("a", 1, false), new ReactionCount("b", 2, true)],
            await store.GetCountsAsync(channel, 7, alice, None));
        Assert.Equal(
            [new ReactionCount("a", 1, true), new ReactionCount("b", 2, true)],
            await store.GetCountsAsync(channel, 7, bob, None));
        Assert.All(await store.GetCountsAsync(channel, 7, Guid.NewGuid(), None), c => Assert.False(c.Me));
    }

    [Fact]
    public async Task Removing_a_reaction_decrements_and_the_last_removal_drops_the_emoji()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        await store.AddAsync(channel, 7, "x", alice, None);
        await store.AddAsync(channel, 7, "x", bob, None);

        Assert.True(await store.RemoveAsync(channel, 7, "x", alice, None));
        Assert.Equal([new ReactionCount("x", 1, false)], await store.GetCountsAsync(channel, 7, alice, None));

        Assert.True(await store.RemoveAsync(channel, 7, "x", bob, None));
        Assert.Empty(await store.GetCountsAsync(channel, 7, alice, None));
    }

    [Fact]
    public async Task Removing_a_reaction_that_is_not_there_changes_nothing()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var alice = Guid.NewGuid();
        await store.AddAsync(channel, 7, "x", alice, None);

        Assert.False(await store.RemoveAsync(channel, 7, "x", Guid.NewGuid(), None));
        Assert.False(await store.RemoveAsync(channel, 7, "y", alice, None));
        Assert.False(await store.RemoveAsync(channel, 8, "x", alice, None));

        Assert.Equal([new ReactionCount("x", 1, true)], await store.GetCountsAsync(channel, 7, alice, None));
    }

    [Fact]
    public async Task Reactions_of_different_messages_and_channels_are_separate()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.AddAsync(channel, 7, "x", user, None);

        Assert.Empty(await store.GetCountsAsync(channel, 8, user, None));
        Assert.Empty(await store.GetCountsAsync(Guid.NewGuid(), 7, user, None));
    }

    [Fact]
    public async Task Concurrent_adds_by_one_user_count_once()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        var added = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => store.AddAsync(channel, 7, "x", user, None))));

        Assert.Single(added, a => a);
        Assert.Equal([new ReactionCount("x", 1, true)], await store.GetCountsAsync(channel, 7, user, None));
    }

    [Fact]
    public async Task Returned_counts_are_a_copy_not_the_stores_own()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.AddAsync(channel, 7, "x", user, None);

        var counts = await store.GetCountsAsync(channel, 7, user, None);
        Aliasing.TryOverwrite(counts, 0, new ReactionCount("x", 1000, false));

        Assert.Equal([new ReactionCount("x", 1, true)], await store.GetCountsAsync(channel, 7, user, None));
    }
}
