using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;

namespace WellWon.Bench;

public interface IBenchCounterGrain : IGrainWithIntegerKey
{
    /// <summary>Adds to an in-memory total and returns it.</summary>
    Task<int> Add(int amount);
}

public sealed class BenchCounterGrain : Grain, IBenchCounterGrain
{
    private int _total;

    public Task<int> Add(int amount) => Task.FromResult(_total += amount);
}

[GenerateSerializer]
public sealed class SmallState
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public long UpdatedAt { get; set; }
}

public interface IBenchStatefulGrain : IGrainWithIntegerKey
{
    /// <summary>Returns the stored value (activation loads the state).</summary>
    Task<int> Read();
}

public sealed class BenchStatefulGrain([PersistentState("s")] IPersistentState<SmallState> state) : Grain, IBenchStatefulGrain
{
    public Task<int> Read() => Task.FromResult(state.State.Value);
}

/// <summary>The same shape as the grain, called directly: the baseline.</summary>
public sealed class PlainCounter : IBenchCounterGrain
{
    private int _total;

    public Task<int> Add(int amount) => Task.FromResult(Interlocked.Add(ref _total, amount));
}

public static class RuntimeBench
{
    public static async Task RunAsync(BenchArgs args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddWellWonSilo(o => o.ClusterId = "bench").AddMemoryGrainStorage();
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var duration = TimeSpan.FromSeconds(args.Seconds);

        Report.Progress($"direct baseline: {args.Callers} callers, {args.Seconds}s");
        IBenchCounterGrain plain = new PlainCounter();
        var direct = await LoadHarness.RunAsync(args.Callers, duration, _ => new ValueTask(plain.Add(1)));
        Report.Figure("runtime.direct_calls_per_s", direct.CallsPerSecond);

        Report.Progress($"local grain calls: {args.Callers} callers on one non-reentrant grain");
        var one = grains.GetGrain<IBenchCounterGrain>(0);
        var shared = await LoadHarness.RunAsync(args.Callers, duration, _ => new ValueTask(one.Add(1)));
        Report.Figure("runtime.local_calls_per_s", shared.CallsPerSecond);
        Report.Figure("runtime.local_call_p50_us", shared.P50Micros);
        Report.Figure("runtime.local_call_p99_us", shared.P99Micros);

        Report.Progress($"local grain calls: {args.Callers} callers, one grain each");
        var own = Enumerable.Range(1, args.Callers).Select(i => grains.GetGrain<IBenchCounterGrain>(i)).ToArray();
        var spread = await LoadHarness.RunAsync(args.Callers, duration, c => new ValueTask(own[c].Add(1)));
        Report.Figure("runtime.local_calls_per_s_grain_per_caller", spread.CallsPerSecond);
        Report.Figure("runtime.local_call_p50_us_grain_per_caller", spread.P50Micros);
        Report.Figure("runtime.local_call_p99_us_grain_per_caller", spread.P99Micros);
        Report.Figure("runtime.local_vs_direct_ratio", shared.CallsPerSecond / direct.CallsPerSecond);

        Report.Progress($"activation memory: {args.Activations} idle activations with a small persistent state");
        Report.Figure("runtime.activation_bytes", await MeasureActivationBytesAsync(grains, args.Activations));
        await host.StopAsync();
    }

    private static async Task<double> MeasureActivationBytesAsync(IGrainFactory grains, int count)
    {
        // Reference creation and JIT outside the window: the first batch is activated, then measured from there.
        const long offset = 1_000_000;
        await grains.GetGrain<IBenchStatefulGrain>(offset - 1).Read();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        const int batch = 1_000;
        for (var i = 0; i < count; i += batch)
        {
            var calls = new Task<int>[Math.Min(batch, count - i)];
            for (var j = 0; j < calls.Length; j++)
            {
                calls[j] = grains.GetGrain<IBenchStatefulGrain>(offset + i + j).Read();
            }

            await Task.WhenAll(calls);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        return (after - before) / (double)count;
    }
}
