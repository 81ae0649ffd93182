using System.Diagnostics;
using WellWon.Runtime;
using WellWon.Runtime.Cluster;
using WellWon.Testing;

namespace WellWon.Bench;

/// <summary>A client calling grains on a 2-silo cluster over loopback TCP, and failover after killing a silo.</summary>
public static class ClusterBench
{
    public static async Task RunAsync(BenchArgs args)
    {
        var duration = TimeSpan.FromSeconds(args.Seconds);
        Report.Progress("starting a 2-silo cluster and a client on loopback");
        await using (var cluster = await TestCluster.StartAsync(2))
        {
            var grains = Enumerable.Range(0, args.Callers).Select(i => cluster.Client.GetGrain<IBenchCounterGrain>(i)).ToArray();
            Report.Progress($"remote calls: {args.Callers} callers, one grain each, {args.Seconds}s");
            var remote = await LoadHarness.RunAsync(args.Callers, duration, c => new ValueTask(grains[c].Add(1)));
            Report.Figure("cluster.remote_calls_per_s", remote.CallsPerSecond);
            Report.Figure("cluster.remote_call_p50_us", remote.P50Micros);
            Report.Figure("cluster.remote_call_p99_us", remote.P99Micros);
        }

        Report.Progress("failover: 3 silos, kill one, time until all of its grains answer from survivors");
        await using var three = await TestCluster.StartAsync(3);
        const int count = 1000;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => three.Client.GetGrain<IBenchCounterGrain>(i).Add(1)));
        var victim = three.LiveSilos[1];
        var type = typeof(IBenchCounterGrain).FullName!;
        var hosted = Enumerable.Range(0, count).Where(i => victim.HasActivation(GrainId.Create(type, i))).ToHashSet();
        var clock = Stopwatch.StartNew();
        await three.KillSiloAsync(victim);
        while (hosted.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var answered = await Task.WhenAll(hosted.Select(async i =>
            {
                try
                {
                    await three.Client.GetGrain<IBenchCounterGrain>(i).Add(1);
                    return i;
                }
                catch (Exception e) when (e is SiloUnavailableException or TimeoutException)
                {
                    return -1;
                }
            }));
            hosted.ExceptWith(answered.Where(i => i >= 0));
        }

        Report.Figure("cluster.failover_s", hosted.Count == 0 ? clock.Elapsed.TotalSeconds : double.NaN);
    }
}
