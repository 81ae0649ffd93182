using WellWon.Runtime;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;
using WellWon.Runtime.Placement;
using Xunit.Abstractions;

namespace WellWon.Membership.Tests;

public sealed class ClusterPlacementTests
{
    private readonly ITestOutputHelper _output;

    public ClusterPlacementTests(ITestOutputHelper output) => _output = output;

    private static MembershipView View(long version, params SiloAddress[] active) =>
        new(version, active, [.. active.Select(s => new MembershipEntry(s, "s", SiloStatus.Active, default, default, 0))]);

    [Fact]
    public void An_older_view_never_replaces_a_newer_ring()
    {
        var (a, b) = (AgentCluster.Address(1), AgentCluster.Address(2));
        var placement = new ClusterPlacement();

        Assert.True(placement.Update(View(5, a, b)));
        Assert.False(placement.Update(View(4, a)));

        Assert.Equal(5, placement.Version);
        Assert.Equal([a, b], placement.Ring.Silos);
    }

    [Fact]
    public void A_newer_view_with_the_same_active_silos_keeps_the_ring()
    {
        var (a, b) = (AgentCluster.Address(1), AgentCluster.Address(2));
        var placement = new ClusterPlacement();
        placement.Update(View(5, a, b));
        var ring = placement.Ring;

        Assert.False(placement.Update(View(6, b, a)));

        Assert.Same(ring, placement.Ring);
        Assert.Equal(6, placement.Version);
    }

    [Fact]
    public async Task Every_silo_following_its_agent_computes_the_same_owner()
    {
        await using var cluster = new AgentCluster(_output);
        var agents = await cluster.StartAsync(3);
        var placements = agents.Select(a => ClusterPlacement.Follow(a)).ToArray();

        await Eventually.Until(() => placements.All(p => p.Ring.Silos.Count == 3), TimeSpan.FromSeconds(15), "every ring has three silos");

        var ids = Enumerable.Range(0, 500).Select(i => GrainId.Create("user", i)).ToArray();
        Assert.All(ids, id => Assert.Single(placements.Select(p => p.Owner(id)).Distinct()));
    }
}
