using System.Diagnostics;
using WellWon.Runtime.Membership;
using Xunit.Abstractions;

namespace WellWon.Membership.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    // Starves the process's thread pool: nothing else may run meanwhile.
    public const string Name = "Load";
}

[Collection(LoadCollection.Name)]
public sealed class LoadTests
{
    private readonly ITestOutputHelper _output;

    public LoadTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_starved_thread_pool_and_saturated_cpu_cause_no_missed_probes_and_no_suspicion()
    {
        var options = new ClusterMembershipOptions
        {
            ProbePeriod = TimeSpan.FromMilliseconds(200),
            ProbeTimeout = TimeSpan.FromMilliseconds(200),
        };
        await using var cluster = new AgentCluster(_output, options);
        var agents = await cluster.StartAsync(3);
        var all = agents.Select(a => a.Silo).ToArray();
        await Eventually.Until(() => agents.All(a => AgentCluster.SeesActive(a, all)), TimeSpan.FromSeconds(15), "three silos see each other");
        var answeredBefore = agents.Select(a => a.ProbesAnswered).ToArray();
        var missedBefore = agents.Sum(a => a.ProbesMissed);

        using var release = new ManualResetEventSlim();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => new Thread(() => Spin(release)) { IsBackground = true }).ToList();
        var starvedWorkRan = new ManualResetEventSlim();
        var watch = Stopwatch.StartNew();
        bool tenPeriods;
        var poolWasStarved = false;
        try
        {
            // Spinning rather than blocking: the pool injects threads quickly for blocked waits, not for busy ones.
            for (var i = 0; i < 200; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => Spin(release), null);
            }

            ThreadPool.UnsafeQueueUserWorkItem(_ => starvedWorkRan.Set(), null);
            spinners.ForEach(t => t.Start());

            // Blocking on purpose: this thread must not need the starved pool to notice the condition.
            tenPeriods = SpinWait.SpinUntil(
                () => agents.Select((a, i) => a.ProbesAnswered - answeredBefore[i]).All(n => n >= 20),
                TimeSpan.FromSeconds(20));
        }
        finally
        {
            poolWasStarved = !starvedWorkRan.IsSet;
            _output.WriteLine($"Pool threads {ThreadPool.ThreadCount}, pool work items waiting {ThreadPool.PendingWorkItemCount}");
            release.Set();
        }

        spinners.ForEach(t => t.Join());
        _output.WriteLine($"Under load for {watch.Elapsed.TotalMilliseconds:F0} ms; pool starved: {poolWasStarved}; " +
            $"answered {string.Join("/", agents.Select((a, i) => a.ProbesAnswered - answeredBefore[i]))}, missed {agents.Sum(a => a.ProbesMissed) - missedBefore}, " +
            $"discarded rounds {agents.Sum(a => a.ProbeRoundsDiscarded)}");

        Assert.True(tenPeriods, "every silo kept probing through ten periods of load");
        Assert.True(poolWasStarved, "the thread pool was actually starved");
        Assert.Equal(missedBefore, agents.Sum(a => a.ProbesMissed));
        Assert.All(agents, a => Assert.Equal(0, a.SuspicionVotesCast));
        var data = await cluster.Table.ReadAllAsync();
        Assert.All(data.Entries, e => Assert.Equal((SiloStatus.Active, 0), (e.Entry.Status, e.Entry.Suspicions.Count)));
    }

    private static void Spin(ManualResetEventSlim release)
    {
        while (!release.IsSet)
        {
            Thread.SpinWait(1_000);
        }
    }
}
