using System.Diagnostics;
using WellWon.Runtime.Cluster;
using WellWon.Testing;
using Xunit.Abstractions;

namespace WellWon.Runtime.Tests.Cluster;

[Collection("cluster")]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string TallyType = typeof(ITallyGrain).FullName!;

    [Fact]
    public async Task Three_silos_spread_3000_grains_evenly_and_every_caller_reaches_the_single_activation()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));

        var counts = cluster.LiveSilos.Select(s => s.ActivationCount).ToList();
        output.WriteLine("activations per silo: " + string.Join(", ", counts));
        foreach (var count in counts)
        {
            Assert.InRange(count, 750, 1250);
        }

        // The same grains called from inside each silo land on the same single activation.
        for (var i = 0; i < 30; i++)
        {
            foreach (var silo in cluster.LiveSilos)
            {
                await silo.Grains.GetGrain<ITallyGrain>(i).Add(1);
            }

            Assert.Equal(5, await cluster.Client.GetGrain<ITallyGrain>(i).Add(1));
            Assert.Single(cluster.LiveSilos, s => s.HasActivation(GrainId.Create(TallyType, i)));
        }
    }

    [Fact]
    public async Task Grains_call_grains_on_other_silos_and_observers_in_the_client()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(3, await cluster.Client.GetGrain<ITallyGrain>(10_000 + i).AddVia(20_000 + i, 3));
        }

        var observer = new Collector();
        var reference = cluster.Client.CreateObjectReference<IClusterObserver>(observer);
        await cluster.Client.GetGrain<ITallyGrain>(7).Announce(reference);
        var host = await cluster.Client.GetGrain<ITallyGrain>(7).Host();
        Assert.Equal(host, await observer.Received.Task.WaitAsync(Bound));
    }

    [Fact]
    public async Task Killing_a_silo_moves_its_grains_to_survivors_with_their_state()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        const int grains = 300;
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));
        var victim = cluster.LiveSilos[1];
        var hosted = Enumerable.Range(0, grains).Where(i => victim.HasActivation(GrainId.Create(TallyType, i))).ToList();
        Assert.NotEmpty(hosted);

        var clock = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        var pending = new HashSet<int>(hosted);
        while (pending.Count > 0 && clock.Elapsed < Bound)
        {
            var answered = await Task.WhenAll(pending.Select(async i =>
            {
                try
                {
                    return (i, total: await cluster.Client.GetGrain<ITallyGrain>(i).Add(1));
                }
                catch (Exception e) when (e is SiloUnavailableException or TimeoutException)
                {
                    return (i, total: -1);
                }
            }));
            foreach (var (i, total) in answered.Where(a => a.total > 0))
            {
                // State survived the move: the first write (1) plus this one.
                Assert.Equal(2, total);
                pending.Remove(i);
            }
        }

        output.WriteLine($"{hosted.Count} grains of the killed silo answered again after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Empty(pending);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"failover took {clock.Elapsed}");
    }

    [Fact]
    public async Task Stopping_a_silo_under_steady_load_fails_no_call()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        using var stop = new CancellationTokenSource();
        var failures = new List<Exception>();
        long calls = 0;
        var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await cluster.Client.GetGrain<ITallyGrain>((worker * 1000) + (i++ % 100)).Add(1);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            }
        })).ToList();

        await Eventually.WaitUntil(() => Interlocked.Read(ref calls) > 500, Bound, "the load to get going");
        await cluster.StopSiloAsync(cluster.LiveSilos[0]);
        await cluster.WaitForStableViewAsync(Bound);
        var after = Interlocked.Read(ref calls);
        await Eventually.WaitUntil(() => Interlocked.Read(ref calls) > after + 500, Bound, "calls to continue after the stop");
        stop.Cancel();
        await Task.WhenAll(load);

        output.WriteLine($"{calls} calls, {failures.Count} failures");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Adding_a_silo_moves_some_grains_and_no_grain_is_ever_active_twice_once_settled()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        const int grains = 400;
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));

        var added = await cluster.StartSiloAsync();
        await cluster.WaitForStableViewAsync(Bound);
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => cluster.Client.GetGrain<ITallyGrain>(i).Add(1)));

        Assert.InRange(added.ActivationCount, grains / 10, grains / 2);
        await Eventually.WaitUntil(
            () => Enumerable.Range(0, grains).All(i => cluster.LiveSilos.Count(s => s.HasActivation(GrainId.Create(TallyType, i))) == 1),
            Bound,
            "each grain to be active on exactly one silo");
        for (var i = 0; i < grains; i += 37)
        {
            Assert.Equal(3, await cluster.Client.GetGrain<ITallyGrain>(i).Add(1));
        }
    }

    [Fact]
    public async Task A_silo_cut_off_from_the_others_is_declared_dead_and_stops_itself()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var victim = cluster.LiveSilos[2];
        var clock = Stopwatch.StartNew();
        TestCluster.Isolate(victim);

        await victim.DeclaredDead.WaitAsync(Bound);
        output.WriteLine($"declared dead after {clock.Elapsed.TotalSeconds:0.00} s");

        // It stops itself: its host shuts down without anyone asking it to.
        await victim.Stopped.WaitAsync(Bound);
        await cluster.WaitForStableViewAsync(Bound);
        Assert.Equal(2, cluster.LiveSilos.Count);
        Assert.Equal(5, await cluster.Client.GetGrain<ITallyGrain>(1).Add(5));
    }

    [Fact]
    public async Task A_silo_whose_cpu_is_saturated_for_ten_seconds_is_not_declared_dead()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var viewBefore = cluster.LiveSilos[0].Address;
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => Task.Factory.StartNew(
            () =>
            {
                var x = 0UL;
                while (!stop.IsCancellationRequested)
                {
                    x = (x * 6364136223846793005UL) + 1442695040888963407UL;
                }

                return x;
            },
            TaskCreationOptions.LongRunning)).ToList();
        var saturatedFor = Stopwatch.StartNew();
        while (saturatedFor.Elapsed < TimeSpan.FromSeconds(10))
        {
            // Busy on every core; the loop waits on the busy-loop clock, not on a sleep.
            await Task.Yield();
            Thread.SpinWait(1000);
        }

        stop.Cancel();
        await Task.WhenAll(spinners);

        Assert.All(cluster.LiveSilos, s => Assert.False(s.DeclaredDead.IsCompleted, $"{s} was declared dead"));
        Assert.Equal(3, cluster.LiveSilos.Count);
        foreach (var silo in cluster.LiveSilos)
        {
            Assert.Equal(0, silo.SuspicionVotesCast);
        }

        Assert.Equal(viewBefore, cluster.LiveSilos[0].Address);
    }

    [Fact]
    public async Task Every_live_silo_leases_a_distinct_worker_id()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var ids = cluster.LiveSilos.Select(s => s.WorkerId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 0, 1023));
    }

    private sealed class Collector : IClusterObserver
    {
        public TaskCompletionSource<string> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Hello(string text)
        {
            Received.TrySetResult(text);
            return Task.CompletedTask;
        }
    }
}

[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;
