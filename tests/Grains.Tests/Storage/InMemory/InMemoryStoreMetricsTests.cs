using WellWon.Grains.Storage;
using WellWon.Grains.Storage.InMemory;

namespace WellWon.Grains.Tests.Storage.InMemory;

public class InMemoryStoreMetricsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Every_call_is_counted_per_port_and_operation()
    {
        var stores = new InMemoryChatStores();
        var channel = Guid.NewGuid();

        await stores.Messages.ReadBucketAsync(channel, 1, null, null, 10, PageOrder.NewestFirst, None);
        await stores.Messages.ReadBucketAsync(channel, 2, null, null, 10, PageOrder.NewestFirst, None);
        await stores.Messages.GetAsync(channel, 1, None);
        await stores.BucketIndex.GetAsync(channel, None);

        Assert.Equal(2, stores.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync)));
        Assert.Equal(3, stores.Metrics.Count(nameof(IMessageStore)));
        Assert.Equal(1, stores.Metrics.Count(nameof(IBucketIndex)));
        Assert.Equal(0, stores.Metrics.Count(nameof(IUserStore)));
        Assert.Equal(4, stores.Metrics.Total);
        Assert.Equal(2, stores.Metrics.Snapshot()["IMessageStore.ReadBucketAsync"]);
    }

    [Fact]
    public async Task Reset_sets_every_count_back_to_zero()
    {
        var stores = new InMemoryChatStores();
        await stores.Users.GetAsync(Guid.NewGuid(), None);

        stores.Metrics.Reset();

        Assert.Equal(0, stores.Metrics.Total);
    }

    [Fact]
    public async Task The_interceptor_can_hold_a_query_in_flight_until_the_test_releases_it()
    {
        var stores = new InMemoryChatStores();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stores.Metrics.Interceptor = async (_, _, ct) => await gate.Task.WaitAsync(ct);

        var read = stores.Channels.GetAsync(Guid.NewGuid(), None);
        Assert.False(read.IsCompleted);
        Assert.Equal(1, stores.Metrics.Count(nameof(IChannelStore)));

        gate.SetResult();
        Assert.Null(await read);
    }

    [Fact]
    public async Task The_interceptor_can_simulate_an_unavailable_store()
    {
        var stores = new InMemoryChatStores();
        stores.Metrics.Interceptor = (_, _, _) => throw new TimeoutException("store down");

        await Assert.ThrowsAsync<TimeoutException>(() => stores.Pins.ListAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task A_cancelled_call_fails_without_touching_the_store()
    {
        var store = new InMemoryMessageStore();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var message = new MessageRecord(Guid.NewGuid(), 1, Guid.NewGuid(), "x");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.InsertAsync(message, cts.Token));

        Assert.Null(await store.GetAsync(message.ChannelId, message.MessageId, None));
    }
}
