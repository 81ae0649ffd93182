using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IPinStore"/> must do.</summary>
public abstract class PinStoreContract<TStore>
    where TStore : IPinStore
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task A_channel_without_pins_lists_none()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.ListAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Pins_list_newest_pin_first_regardless_of_message_age()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var by = Guid.NewGuid();
        var oldMessagePinnedLast = new PinRecord(channel, 10, T0.AddMinutes(2), by);
        var newMessagePinnedFirst = new PinRecord(channel, 30, T0, by);
        var middle = new PinRecord(channel, 20, T0.AddMinutes(1), by);
        await store.PinAsync(newMessagePinnedFirst, None);
        await store.PinAsync(oldMessagePinnedLast, None);
        await store.PinAsync(middle, None);

        Assert.Equal([oldMessagePinnedLast, middle, newMessagePinnedFirst], await store.ListAsync(channel, None));
    }

    [Fact]
    public async Task Pins_made_at_the_same_instant_list_higher_message_id_first()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var by = Guid.NewGuid();
        await store.PinAsync(new PinRecord(channel, 1, T0, by), None);
        await store.PinAsync(new PinRecord(channel, 2, T0, by), None);

        Assert.Equal([2L, 1L], (await store.ListAsync(channel, None)).Select(p => p.MessageId));
    }

    [Fact]
    public async Task Pinning_twice_keeps_the_original_pin()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var original = new PinRecord(channel, 5, T0, Guid.NewGuid());

        Assert.True(await store.PinAsync(original, None));
        Assert.False(await store.PinAsync(original with { PinnedAt = T0.AddHours(1), PinnedBy = Guid.NewGuid() }, None));

        Assert.Equal([original], await store.ListAsync(channel, None));
    }

    [Fact]
    public async Task Unpinning_removes_the_pin_once()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        await store.PinAsync(new PinRecord(channel, 5, T0, Guid.NewGuid()), None);
        await store.PinAsync(new PinRecord(channel, 6, T0, Guid.NewGuid()), None);

        Assert.True(await store.UnpinAsync(channel, 5, None));
        Assert.False(await store.UnpinAsync(channel, 5, None));
        Assert.False(await store.UnpinAsync(Guid.NewGuid(), 6, None));

        Assert.Equal([6L], (await store.ListAsync(channel, None)).Select(p => p.MessageId));
    }

    [Fact]
    public async Task A_message_can_be_pinned_again_after_unpinning()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        await store.PinAsync(new PinRecord(channel, 5, T0, Guid.NewGuid()), None);
        await store.UnpinAsync(channel, 5, None);
        var again = new PinRecord(channel, 5, T0.AddDays(1), Guid.NewGuid());

        Assert.True(await store.PinAsync(again, None));

        Assert.Equal([again], await store.ListAsync(channel, None));
    }

    [Fact]
    public async Task A_returned_pin_list_is_a_copy_not_the_stores_own()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var pin = new PinRecord(channel, 5, T0, Guid.NewGuid());
        await store.PinAsync(pin, None);

        var listed = await store.ListAsync(channel, None);
        Aliasing.TryOverwrite(listed, 0, pin with { MessageId = 99 });

        Assert.Equal([pin], await store.ListAsync(channel, None));
    }
}
