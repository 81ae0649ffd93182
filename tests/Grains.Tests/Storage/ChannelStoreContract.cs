using WellWon.Grains.Domain;
using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IChannelStore"/> must do.</summary>
public abstract class ChannelStoreContract<TStore>
    where TStore : IChannelStore
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task A_created_channel_reads_back_equal()
    {
        var store = await CreateStoreAsync();
        var channel = new ChannelRecord(Guid.NewGuid(), ChannelType.Group, "general", Guid.NewGuid(), T0);

        Assert.True(await store.CreateAsync(channel, None));

        Assert.Equal(channel, await store.GetAsync(channel.Id, None));
    }

    [Fact]
    public async Task A_direct_channel_has_no_name_and_no_owner()
    {
        var store = await CreateStoreAsync();
        var channel = new ChannelRecord(ChannelIds.Direct(Guid.NewGuid(), Guid.NewGuid()), ChannelType.Direct, null, null, T0);

        await store.CreateAsync(channel, None);

        Assert.Equal(channel, await store.GetAsync(channel.Id, None));
    }

    [Fact]
    public async Task Creating_an_existing_id_keeps_the_first_channel()
    {
        var store = await CreateStoreAsync();
        var first = new ChannelRecord(Guid.NewGuid(), ChannelType.Public, "first", Guid.NewGuid(), T0);
        await store.CreateAsync(first, None);

        Assert.False(await store.CreateAsync(first with { Name = "second" }, None));

        Assert.Equal(first, await store.GetAsync(first.Id, None));
    }

    [Fact]
    public async Task An_unknown_channel_reads_as_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Guid.NewGuid(), None));
    }
}
