using System.Diagnostics;
using WellWon.Runtime.Membership;
using Xunit.Abstractions;

namespace WellWon.Membership.Tests;

public sealed class MembershipAgentTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly ITestOutputHelper _output;

    public MembershipAgentTests(ITestOutputHelper output) => _output = output;

    /// <summary>Short periods for tests that need many probe rounds; the ratios match the defaults.</summary>
    private static ClusterMembershipOptions Fast() => new()
    {
        ProbePeriod = TimeSpan.FromMilliseconds(200),
        ProbeTimeout = TimeSpan.FromMilliseconds(200),
        IAmAlivePeriod = TimeSpan.FromSeconds(1),
        TableRefreshPeriod = TimeSpan.FromSeconds(1),
        DeathVoteExpiration = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Three_agents_converge_on_the_same_active_view_with_distinct_worker_ids()
    {
        await using var cluster = new AgentCluster(_output);
        var agents = await cluster.StartAsync(3);
        var all = agents.Select(a => a.Silo).ToArray();

        await Eventually.Until(
            () => agents.All(a => AgentCluster.SeesActive(a, all)) && agents.Select(a => a.CurrentView.Version).Distinct().Count() == 1,
            Bound,
            "every agent sees the same three active silos at the same version");

        Assert.Equal([0, 1, 2], agents.Select(a => a.WorkerId).Order());
        Assert.All(agents, a => Assert.Equal(SiloStatus.Active, a.Status));
    }

    [Fact]
    public async Task A_silo_cut_off_from_every_peer_is_declared_dead_within_four_seconds_and_then_learns_it()
    {
        // Default options: this is the detection time production gets.
        await using var cluster = new AgentCluster(_output);
        var (a, b, c) = await StartThree(cluster);

        var watch = Stopwatch.StartNew();
        cluster.Network.Isolate(c.Silo);
        await Eventually.Until(
            () => AgentCluster.SeesActive(a, a.Silo, b.Silo) && AgentCluster.SeesActive(b, a.Silo, b.Silo),
            Bound,
            "the two connected silos drop the isolated one");
        var detected = watch.Elapsed;

        _output.WriteLine($"Isolated silo declared dead and out of both views after {detected.TotalMilliseconds:F0} ms");
        var row = await cluster.RowOf(c.Silo);
        Assert.Equal(SiloStatus.Dead, row.Status);
        Assert.True(row.Suspicions.Count >= 2, "two voters were needed");
        Assert.True(detected < TimeSpan.FromSeconds(4.5), $"detection took {detected}");

        await c.DeclaredDead.WaitAsync(Bound);
        _output.WriteLine($"The isolated silo read its own death after {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(SiloStatus.Dead, c.Status);
        Assert.False(a.DeclaredDead.IsCompleted || b.DeclaredDead.IsCompleted);
    }

    [Fact]
    public async Task The_survivor_of_a_two_silo_cluster_declares_a_crashed_peer_dead_alone()
    {
        await using var cluster = new AgentCluster(_output);
        var agents = await cluster.StartAsync(2);
        await Eventually.Until(() => agents.All(x => x.CurrentView.ActiveSilos.Count == 2), Bound, "both see two silos");

        var watch = Stopwatch.StartNew();
        cluster.Network.Detach(agents[1].Silo);
        await agents[1].AbortAsync();
        await Eventually.Until(() => AgentCluster.SeesActive(agents[0], agents[0].Silo), Bound, "the survivor drops the crashed silo");

        _output.WriteLine($"Crashed silo declared dead after {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(SiloStatus.Dead, (await cluster.RowOf(agents[1].Silo)).Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4.5), $"detection took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_killed_process_whose_port_refuses_connections_is_declared_dead_within_three_seconds()
    {
        await using var cluster = new AgentCluster(_output);
        var (a, b, killed) = await StartThree(cluster);
        cluster.Network.RefuseWhenDetached = true;

        var watch = Stopwatch.StartNew();
        cluster.Network.Detach(killed.Silo);
        await killed.AbortAsync();
        await Eventually.Until(
            () => AgentCluster.SeesActive(a, a.Silo, b.Silo) && AgentCluster.SeesActive(b, a.Silo, b.Silo),
            Bound,
            "both survivors drop the killed silo");

        _output.WriteLine($"Killed silo (connection refused) declared dead after {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(SiloStatus.Dead, (await cluster.RowOf(killed.Silo)).Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"detection took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_slow_responder_within_the_probe_timeout_is_never_declared_dead_over_ten_probe_periods()
    {
        var options = Fast();
        await using var cluster = new AgentCluster(_output, options);
        var (a, b, slow) = await StartThree(cluster);

        cluster.Network.SetResponseDelay(slow.Silo, options.ProbeTimeout * 0.7);
        var before = cluster.Network.ProbesAnswered(slow.Silo);
        // Two probers, ten periods each.
        await Eventually.Until(() => cluster.Network.ProbesAnswered(slow.Silo) >= before + 20, Bound, "ten probe periods of slow answers");

        var row = await cluster.RowOf(slow.Silo);
        Assert.Equal(SiloStatus.Active, row.Status);
        Assert.Empty(row.Suspicions);
        Assert.All([a, b, slow], x => Assert.Equal(3, x.CurrentView.ActiveSilos.Count));
        Assert.False(slow.DeclaredDead.IsCompleted);
    }

    [Fact]
    public async Task A_silo_one_peer_cannot_reach_but_another_can_is_not_declared_dead()
    {
        await using var cluster = new AgentCluster(_output, Fast());
        var (a, b, c) = await StartThree(cluster);

        cluster.Network.Cut(a.Silo, c.Silo);
        // Each of a and c keeps missing the other and asking b, which vouches for it.
        await Eventually.Until(
            () => cluster.Network.IndirectProbesOf(c.Silo) >= 3 && cluster.Network.IndirectProbesOf(a.Silo) >= 3,
            Bound,
            "several indirect probes through the third silo");

        foreach (var silo in new[] { a.Silo, b.Silo, c.Silo })
        {
            var row = await cluster.RowOf(silo);
            Assert.Equal(SiloStatus.Active, row.Status);
            Assert.Empty(row.Suspicions);
        }
    }

    [Fact]
    public async Task A_graceful_leave_removes_the_silo_from_every_view()
    {
        await using var cluster = new AgentCluster(_output);
        var (a, leaving, c) = await StartThree(cluster);

        var watch = Stopwatch.StartNew();
        await leaving.BeginShutdownAsync();
        await Eventually.Until(
            () => AgentCluster.SeesActive(a, a.Silo, c.Silo) && AgentCluster.SeesActive(c, a.Silo, c.Silo),
            Bound,
            "the shutting-down silo is out of every view");
        _output.WriteLine($"Out of every view {watch.Elapsed.TotalMilliseconds:F0} ms after ShuttingDown (gossip, no refresh period)");
        Assert.Equal(SiloStatus.ShuttingDown, a.CurrentView.StatusOf(leaving.Silo));

        await leaving.StopAsync();
        await Eventually.Until(
            () => a.CurrentView.StatusOf(leaving.Silo) == SiloStatus.Dead && c.CurrentView.StatusOf(leaving.Silo) == SiloStatus.Dead,
            Bound,
            "the leaver is Dead in every view");
        Assert.True(watch.Elapsed < ClusterMembershipOptions.DefaultTableRefreshPeriod, $"leave took {watch.Elapsed}");
        Assert.False(leaving.DeclaredDead.IsCompleted, "a graceful leave is not a death sentence");
        Assert.Empty((await cluster.RowOf(leaving.Silo)).Suspicions);
    }

    [Fact]
    public async Task When_gossip_is_lost_the_periodic_refresh_still_spreads_a_join()
    {
        var options = Fast();
        await using var cluster = new AgentCluster(_output, options);
        var agents = await cluster.StartAsync(2);
        await Eventually.Until(() => agents.All(x => x.CurrentView.ActiveSilos.Count == 2), Bound, "both see two silos");

        cluster.Network.DropGossip = true;
        var late = (await cluster.StartAsync(1))[0];

        var took = await Eventually.Until(() => agents.All(x => x.CurrentView.ActiveSilos.Contains(late.Silo)), Bound, "the earlier silos see the late joiner");
        _output.WriteLine($"Join seen without gossip after {took.TotalMilliseconds:F0} ms (refresh period {options.TableRefreshPeriod.TotalMilliseconds} ms)");
        Assert.True(took < options.TableRefreshPeriod * 3, $"took {took}");
    }

    [Fact]
    public async Task A_silo_that_reads_itself_dead_signals_DeclaredDead()
    {
        await using var cluster = new AgentCluster(_output);
        var (a, _, _) = await StartThree(cluster);

        var data = await cluster.Table.ReadAllAsync();
        Assert.True(data.TryGet(a.Silo, out var row, out var etag));
        Assert.True(await cluster.Table.UpdateRowAsync(row with { Status = SiloStatus.Dead }, etag, data.Version));
        a.OnGossip(data.Version + 1);

        await a.DeclaredDead.WaitAsync(Bound);
        Assert.Equal(SiloStatus.Dead, a.Status);
    }

    [Fact]
    public async Task A_view_version_never_goes_backwards()
    {
        await using var cluster = new AgentCluster(_output, Fast());
        var agents = await cluster.StartAsync(4);
        var observer = agents[0];

        // Hammer the observer with concurrent refreshes and stale gossip while membership churns.
        using var churn = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!churn.IsCancellationRequested)
            {
                await observer.RefreshAsync();
                observer.OnGossip(0);
            }
        })).ToArray();

        await agents[1].StopAsync();
        cluster.Network.Isolate(agents[2].Silo);
        await Eventually.Until(() => AgentCluster.SeesActive(observer, agents[0].Silo, agents[3].Silo), Bound, "the leaver and the isolated silo are gone");
        await churn.CancelAsync();
        await Task.WhenAll(readers);

        foreach (var agent in agents)
        {
            var versions = cluster.Published(agent.Silo);
            _output.WriteLine($"{agent.Silo}: {string.Join(" ", versions)}");
            Assert.NotEmpty(versions);
            Assert.All(versions.Zip(versions.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} then {pair.Second}"));
        }

        Assert.Equal(cluster.Published(observer.Silo)[^1], observer.CurrentView.Version);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_setting()
    {
        var options = new ClusterMembershipOptions { ProbeTimeout = TimeSpan.Zero, NumVotesForDeathDeclaration = 0 };

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(options.Validate);

        Assert.Contains(error.Failures, f => f.Contains(nameof(ClusterMembershipOptions.ProbeTimeout), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(ClusterMembershipOptions.NumVotesForDeathDeclaration), StringComparison.Ordinal));
        new ClusterMembershipOptions().Validate();
    }

    private static async Task<(MembershipAgent, MembershipAgent, MembershipAgent)> StartThree(AgentCluster cluster)
    {
        var agents = await cluster.StartAsync(3);
        var all = agents.Select(x => x.Silo).ToArray();
        await Eventually.Until(() => agents.All(x => AgentCluster.SeesActive(x, all)), Bound, "three silos see each other");
        return (agents[0], agents[1], agents[2]);
    }
}
