using System.Diagnostics;

namespace WellWon.Bench;

/// <summary>
/// Runs N concurrent async callers for a fixed time and measures throughput and latency. Latency is sampled
/// (every 8th call) into per-caller buffers so the measurement itself does not dominate.
/// </summary>
public static class LoadHarness
{
    public sealed record Result(double CallsPerSecond, double P50Micros, double P99Micros, long Calls);

    public static async Task<Result> RunAsync(int callers, TimeSpan duration, Func<int, ValueTask> call)
    {
        // Warm-up: JIT, tiering and first activations happen outside the measured window.
        await RunCoreAsync(callers, TimeSpan.FromSeconds(Math.Min(1, duration.TotalSeconds / 3)), call, sample: false);
        return await RunCoreAsync(callers, duration, call, sample: true);
    }

    private static async Task<Result> RunCoreAsync(int callers, TimeSpan duration, Func<int, ValueTask> call, bool sample)
    {
        var stop = false;
        var samples = new List<long>[callers];
        var counts = new long[callers];
        var start = Stopwatch.GetTimestamp();
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var caller = c;
            samples[c] = new List<long>(sample ? 1 << 16 : 0);
            tasks[c] = Task.Run(async () =>
            {
                long n = 0;
                var mine = samples[caller];
                while (!Volatile.Read(ref stop))
                {
                    if (sample && (n & 7) == 0)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        await call(caller);
                        mine.Add(Stopwatch.GetTimestamp() - t0);
                    }
                    else
                    {
                        await call(caller);
                    }

                    n++;
                }

                counts[caller] = n;
            });
        }

        await Task.Delay(duration);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var total = counts.Sum();
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, p * all.Length)] * 1_000_000.0 / Stopwatch.Frequency;
        return new Result(total / elapsed, Percentile(0.50), Percentile(0.99), total);
    }
}
