using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Configuration;
using WellWon.Testing;

namespace WellWon.Runtime.Tests;

public interface IWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Waits on a gate (so concurrent calls pile up in parallel workers).</summary>
    Task<int> Hold(string gate);

    /// <summary>The silo running this worker.</summary>
    Task<string> Where();
}

[StatelessWorker(4)]
public sealed class WorkerGrain(IServiceProvider services, IOptions<SiloOptions> silo) : Grain, IWorkerGrain
{
    public async Task<int> Hold(string gate)
    {
        var probe = services.GetRequiredService<Probe>();
        probe.Enter("worker");
        await probe.Gate(gate);
        probe.Exit("worker");
        return 1;
    }

    public Task<string> Where() => Task.FromResult(silo.Value.SiloName);
}

public sealed class StatelessWorkerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Concurrent_calls_to_one_stateless_worker_run_in_parallel_activations_up_to_the_limit()
    {
        await using var silo = await TestSilo.StartAsync();
        var worker = silo.Grains.GetGrain<IWorkerGrain>(1);

        // Four calls can all be inside at once only if they run on four activations of the same grain ID.
        var first = Enumerable.Range(0, 4).Select(_ => worker.Hold("four")).ToList();
        await Eventually.WaitUntil(() => silo.Probe.Count("worker.inside") == 4, Bound, "four workers inside at once");

        // Beyond the limit of 4, calls queue on the existing workers instead of adding activations.
        var more = Enumerable.Range(0, 4).Select(_ => worker.Hold("more")).ToList();
        silo.Probe.Open("more");
        silo.Probe.Open("four");
        await Task.WhenAll(first.Concat(more)).WaitAsync(Bound);
        Assert.Equal(4, silo.Runtime.Catalog.Activations.Count(a => a.GrainId.Key == "1" && a.GrainId.Type == typeof(IWorkerGrain).FullName));
        Assert.Equal(4, silo.Probe.Peak("worker"));
    }

    [Fact]
    public async Task A_stateless_worker_runs_on_the_silo_that_calls_it()
    {
        await using var cluster = await TestCluster.StartAsync(3, configureSilo: s => s.Services.AddSingleton<Probe>());
        foreach (var silo in cluster.LiveSilos)
        {
            var name = await silo.Grains.GetGrain<IWorkerGrain>(7).Where();
            Assert.Equal("silo" + silo.Index, name);
        }
    }
}
