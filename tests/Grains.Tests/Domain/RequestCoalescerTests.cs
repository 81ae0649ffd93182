using WellWon.Grains.Domain;
using WellWon.Grains.Storage;
using WellWon.Grains.Storage.InMemory;

namespace WellWon.Grains.Tests.Domain;

public class RequestCoalescerTests
{
    [Fact]
    public async Task A_thousand_concurrent_identical_reads_cause_exactly_one_store_query()
    {
        var store = new InMemoryMessageStore();
        var channel = Guid.NewGuid();
        var id = Snowflake.Create(Buckets.BucketMilliseconds * 5, 1, 0);
        await store.InsertAsync(new MessageRecord(channel, id, Guid.NewGuid(), "hi"), CancellationToken.None);
        var reader = new MessageHistoryReader(store);
        var coalescer = new RequestCoalescer<HistoryQuery, IReadOnlyList<MessageRecord>>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Metrics.Reset();
        store.Metrics.Interceptor = (_, _, ct) => new ValueTask(gate.Task.WaitAsync(ct));

        var query = new HistoryQuery(50);
        var reads = Enumerable.Range(0, 1000)
            .Select(_ => coalescer.RunAsync(query, q => reader.ReadAsync(channel, [5], q, null, CancellationToken.None)))
            .ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(reads);

        Assert.Equal(1, store.Metrics.Total);
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(id, Assert.Single(results[0]).MessageId);
    }

    [Fact]
    public async Task Different_keys_do_not_share_work()
    {
        var coalescer = new RequestCoalescer<int, int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;

        var a = coalescer.RunAsync(1, async k => { Interlocked.Increment(ref runs); await gate.Task; return k; });
        var b = coalescer.RunAsync(2, async k => { Interlocked.Increment(ref runs); await gate.Task; return k; });
        gate.SetResult();

        var results = await Task.WhenAll(a, b);
        Assert.Equal(new[] { 1, 2 }, results);
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task A_request_after_the_shared_work_finished_runs_fresh_work()
    {
        var coalescer = new RequestCoalescer<string, int>();
        var runs = 0;

        var first = await coalescer.RunAsync("k", _ => Task.FromResult(Interlocked.Increment(ref runs)));
        var second = await coalescer.RunAsync("k", _ => Task.FromResult(Interlocked.Increment(ref runs)));

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(0, coalescer.InFlightCount);
    }

    [Fact]
    public async Task A_failure_reaches_every_sharer_and_the_next_request_retries()
    {
        var coalescer = new RequestCoalescer<string, int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var a = coalescer.RunAsync("k", async _ => { await gate.Task; throw new InvalidOperationException("store down"); });
        var b = coalescer.RunAsync("k", _ => Task.FromResult(42));
        gate.SetResult();

        Assert.Equal("store down", (await Assert.ThrowsAsync<InvalidOperationException>(() => a)).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b);
        Assert.Equal(7, await coalescer.RunAsync("k", _ => Task.FromResult(7)));
    }

    [Fact]
    public async Task One_caller_giving_up_does_not_cancel_the_others()
    {
        var coalescer = new RequestCoalescer<string, int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        var impatient = coalescer.RunAsync("k", async _ => { await gate.Task; return 5; }, cts.Token);
        var patient = coalescer.RunAsync("k", _ => Task.FromResult(0));
        await cts.CancelAsync();
        gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.Equal(5, await patient);
    }
}
