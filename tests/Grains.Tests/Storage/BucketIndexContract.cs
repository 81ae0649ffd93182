using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IBucketIndex"/> must do.</summary>
public abstract class BucketIndexContract<TStore>
    where TStore : IBucketIndex
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task An_unknown_channel_has_no_buckets()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.GetAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Buckets_come_back_newest_first_once_each()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        foreach (var bucket in new[] { 40, 3, 41, 40, 17, 3 })
        {
            await store.AddAsync(channel, bucket, None);
        }

        Assert.Equal([41, 40, 17, 3], await store.GetAsync(channel, None));
    }

    [Fact]
    public async Task Channels_have_separate_bucket_lists()
    {
        var store = await CreateStoreAsync();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        await store.AddAsync(a, 1, None);
        await store.AddAsync(b, 2, None);

        Assert.Equal([1], await store.GetAsync(a, None));
        Assert.Equal([2], await store.GetAsync(b, None));
    }

    [Fact]
    public async Task A_returned_list_is_a_copy_not_the_stores_own()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        await store.AddAsync(channel, 5, None);

        var first = await store.GetAsync(channel, None);
        Aliasing.TryOverwrite(first, 0, 99);
        await store.AddAsync(channel, 6, None);

        Assert.Equal([6, 5], await store.GetAsync(channel, None));
    }
}
