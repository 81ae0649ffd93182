using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;
using WellWon.Grains.Storage.InMemory;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;

namespace WellWon.Bench;

/// <summary>
/// The chat grains on one in-process silo with the in-memory stores: the send path and hot-channel history reads,
/// with and without read coalescing.
/// </summary>
/// <remarks>
/// The read figures run with the hot window off (HotWindowSize = 0), so every read takes the store path and the
/// figures measure coalescing itself; <c>chat.hot_reads_per_s_hot_window</c> is the same load with the default hot
/// window, which answers a recent page from memory. The main figures give each in-memory query one asynchronous hop
/// (a synchronous store never has a query in flight, so there is nothing to share: the <c>_sync_store</c> figures);
/// the <c>_store_1ms</c> figures add at least 1 ms per query as a stand-in for a database round trip.
/// </remarks>
public static class ChatBench
{
    private const int PrefillMessages = 500;
    private const int PageSize = 50;

    public static async Task RunAsync(BenchArgs args)
    {
        var duration = TimeSpan.FromSeconds(args.Seconds);

        Report.Progress($"send: {args.Callers} callers on one channel");
        await using (var silo = await BenchSilo.StartAsync(args.Callers, _ => { }))
        {
            var sent = await LoadHarness.RunAsync(args.Callers, duration, c =>
                new ValueTask(silo.Channel.Send(silo.Readers[c], new SendMessageCommand("benchmark message"))));
            Report.Figure("chat.send_msgs_per_s", sent.CallsPerSecond);
            Report.Figure("chat.send_p99_us", sent.P99Micros);
        }

        // Throwaway runs first: whichever read run came first would also pay for tiering up the read path.
        var warmup = TimeSpan.FromSeconds(Math.Min(2, args.Seconds));
        await MeasureReadsAsync(args, warmup, coalesce: true, hotWindow: false, StoreMode.Yield);
        await MeasureReadsAsync(args, warmup, coalesce: false, hotWindow: false, StoreMode.Yield);

        var coalesced = await MeasureReadsAsync(args, duration, coalesce: true, hotWindow: false, StoreMode.Yield);
        var uncoalesced = await MeasureReadsAsync(args, duration, coalesce: false, hotWindow: false, StoreMode.Yield);
        Report.Figure("chat.hot_reads_per_s", coalesced.ReadsPerSecond);
        Report.Figure("chat.hot_reads_per_s_uncoalesced", uncoalesced.ReadsPerSecond);
        Report.Figure("chat.store_queries_per_1000_reads", coalesced.QueriesPer1000);
        Report.Figure("chat.store_queries_per_1000_reads_uncoalesced", uncoalesced.QueriesPer1000);

        var sync = await MeasureReadsAsync(args, duration, coalesce: true, hotWindow: false, StoreMode.Synchronous);
        var syncUncoalesced = await MeasureReadsAsync(args, duration, coalesce: false, hotWindow: false, StoreMode.Synchronous);
        Report.Figure("chat.hot_reads_per_s_sync_store", sync.ReadsPerSecond);
        Report.Figure("chat.hot_reads_per_s_sync_store_uncoalesced", syncUncoalesced.ReadsPerSecond);
        Report.Figure("chat.store_queries_per_1000_reads_sync_store", sync.QueriesPer1000);

        var delayed = await MeasureReadsAsync(args, duration, coalesce: true, hotWindow: false, StoreMode.OneMillisecond);
        var delayedUncoalesced = await MeasureReadsAsync(args, duration, coalesce: false, hotWindow: false, StoreMode.OneMillisecond);
        Report.Figure("chat.hot_reads_per_s_store_1ms", delayed.ReadsPerSecond);
        Report.Figure("chat.hot_reads_per_s_store_1ms_uncoalesced", delayedUncoalesced.ReadsPerSecond);
        Report.Figure("chat.store_queries_per_1000_reads_store_1ms", delayed.QueriesPer1000);

        var hot = await MeasureReadsAsync(args, duration, coalesce: true, hotWindow: true, StoreMode.Yield);
        Report.Figure("chat.hot_reads_per_s_hot_window", hot.ReadsPerSecond);
    }

    private static async Task<(double ReadsPerSecond, double QueriesPer1000)> MeasureReadsAsync(
        BenchArgs args, TimeSpan duration, bool coalesce, bool hotWindow, StoreMode store)
    {
        // The previous run's silo (the send run keeps every message in memory) must not be collected inside this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Report.Progress($"reads: {args.Callers} readers of the newest page, coalesce={coalesce}, hotWindow={hotWindow}, store={store}");
        await using var silo = await BenchSilo.StartAsync(args.Callers, o =>
        {
            o.CoalesceReads = coalesce;
            if (!hotWindow)
            {
                o.HotWindowSize = 0;
            }
        });
        for (var i = 0; i < PrefillMessages; i++)
        {
            await silo.Channel.Send(silo.Readers[i % silo.Readers.Length], new SendMessageCommand($"message {i}"));
        }

        var request = new HistoryRequest(PageSize);
        await silo.Channel.GetHistory(silo.Readers[0], request);
        silo.Stores.Metrics.Interceptor = store switch
        {
            StoreMode.Yield => static async (_, _, _) => await Task.Yield(),
            StoreMode.OneMillisecond => static (_, _, ct) => new ValueTask(Task.Delay(TimeSpan.FromMilliseconds(1), ct)),
            _ => null,
        };

        // Counted over warm-up and measurement alike, so the ratio is reads the grains saw against queries they made.
        silo.Stores.Metrics.Reset();
        var readsBefore = silo.Metrics.HistoryRequests;
        var result = await LoadHarness.RunAsync(args.Callers, duration, c => new ValueTask(silo.Channel.GetHistory(silo.Readers[c], request)));
        var queries = silo.Stores.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync));
        var reads = silo.Metrics.HistoryRequests - readsBefore;
        Report.Progress($"  {reads} reads, {queries} store queries, p50 {result.P50Micros:0} us, p99 {result.P99Micros:0} us");
        return (result.CallsPerSecond, reads == 0 ? 0 : queries * 1000.0 / reads);
    }

    /// <summary>How the in-memory store answers during a read run.</summary>
    private enum StoreMode
    {
        /// <summary>Each query completes after one asynchronous hop (Task.Yield), as any real store's would.</summary>
        Yield,

        /// <summary>Queries complete synchronously: nothing is ever in flight, so nothing can be shared.</summary>
        Synchronous,

        /// <summary>Each query takes at least 1 ms (Task.Delay; the timer's resolution makes it longer).</summary>
        OneMillisecond,
    }

    private sealed class BenchSilo : IAsyncDisposable
    {
        private readonly IHost _host;

        private BenchSilo(IHost host, InMemoryChatStores stores, IChannelGrain channel, Guid[] readers)
        {
            _host = host;
            Stores = stores;
            Channel = channel;
            Readers = readers;
        }

        public InMemoryChatStores Stores { get; }

        public ChatMetrics Metrics => _host.Services.GetRequiredService<ChatMetrics>();

        public IChannelGrain Channel { get; }

        public Guid[] Readers { get; }

        public static async Task<BenchSilo> StartAsync(int members, Action<ChatOptions> configure)
        {
            var stores = new InMemoryChatStores();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddWellWonSilo(o => o.ClusterId = "bench-chat").AddMemoryGrainStorage().AddChatGrains(configure).AddInMemoryChatStores(stores);
            var host = builder.Build();
            await host.StartAsync();
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var readers = new Guid[members];
            for (var i = 0; i < members; i++)
            {
                var name = $"reader{i}";
                readers[i] = (await grains.GetGrain<IUserRegistryGrain>(name).Register(new RegisterUserCommand(name, "hash", null))).User!.Id;
            }

            var channel = grains.GetGrain<IChannelGrain>(Guid.NewGuid());
            await channel.Create(readers[0], new CreateChannelCommand(ChatChannelType.Group, "bench", readers[1..]));
            return new BenchSilo(host, stores, channel, readers);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
