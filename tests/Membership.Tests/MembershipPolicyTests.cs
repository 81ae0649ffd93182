using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;

namespace WellWon.Membership.Tests;

public sealed class MembershipPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 1, 0, 0, TimeSpan.Zero);
    private static readonly ClusterMembershipOptions Options = new();

    private static SiloAddress S(int n) => new("10.0.0.9", 40000 + n, n);

    private static MembershipTableData Table(params MembershipEntry[] entries) =>
        new(42, entries.Select((e, i) => (e, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList());

    private static MembershipEntry Row(int n, SiloStatus status = SiloStatus.Active, DateTimeOffset? alive = null, params SuspicionVote[] votes) =>
        new(S(n), $"s{n}", status, Now.AddMinutes(-10), alive ?? Now.AddMinutes(-1), n) { Suspicions = votes };

    [Fact]
    public void A_first_vote_is_recorded_without_declaring_death_when_two_are_needed()
    {
        var row = MembershipPolicy.Vote(Table(Row(1), Row(2), Row(3)), S(1), S(3), Now, Options);

        Assert.NotNull(row);
        Assert.Equal(SiloStatus.Active, row.Status);
        Assert.Equal([new SuspicionVote(S(1), Now)], row.Suspicions);
    }

    [Fact]
    public void A_second_fresh_vote_declares_the_suspect_dead()
    {
        var table = Table(Row(1), Row(2), Row(3, votes: new SuspicionVote(S(2), Now.AddSeconds(-2))));

        var row = MembershipPolicy.Vote(table, S(1), S(3), Now, Options);

        Assert.Equal(SiloStatus.Dead, row!.Status);
        Assert.Equal(2, row.Suspicions.Count);
    }

    [Fact]
    public void A_vote_older_than_the_expiration_does_not_count()
    {
        var table = Table(Row(1), Row(2), Row(3, votes: new SuspicionVote(S(2), Now - Options.DeathVoteExpiration - TimeSpan.FromSeconds(1))));

        var row = MembershipPolicy.Vote(table, S(1), S(3), Now, Options);

        Assert.Equal(SiloStatus.Active, row!.Status);
        Assert.Equal([new SuspicionVote(S(1), Now)], row.Suspicions);
    }

    [Fact]
    public void A_vote_cast_before_the_suspects_last_heartbeat_does_not_count()
    {
        var table = Table(Row(1), Row(2), Row(3, alive: Now.AddSeconds(-1), votes: new SuspicionVote(S(2), Now.AddSeconds(-2))));

        var row = MembershipPolicy.Vote(table, S(1), S(3), Now, Options);

        Assert.Equal(SiloStatus.Active, row!.Status);
    }

    [Fact]
    public void A_heartbeat_from_a_clock_running_ahead_does_not_retire_votes()
    {
        var table = Table(Row(1), Row(2), Row(3, alive: Now.AddSeconds(30), votes: new SuspicionVote(S(2), Now.AddSeconds(-2))));

        var row = MembershipPolicy.Vote(table, S(1), S(3), Now, Options);

        Assert.Equal(SiloStatus.Dead, row!.Status);
    }

    [Fact]
    public void A_voter_voting_again_replaces_its_own_vote_rather_than_counting_twice()
    {
        var table = Table(Row(1), Row(2), Row(3, votes: new SuspicionVote(S(1), Now.AddSeconds(-1))));

        var row = MembershipPolicy.Vote(table, S(1), S(3), Now, Options);

        Assert.Equal(SiloStatus.Active, row!.Status);
        Assert.Equal([new SuspicionVote(S(1), Now)], row.Suspicions);
    }

    [Fact]
    public void In_a_two_silo_cluster_one_vote_is_enough()
    {
        var row = MembershipPolicy.Vote(Table(Row(1), Row(2)), S(1), S(2), Now, Options);

        Assert.Equal(SiloStatus.Dead, row!.Status);
    }

    [Fact]
    public void A_silo_that_is_not_active_has_no_vote_and_a_dead_suspect_gets_none()
    {
        Assert.Null(MembershipPolicy.Vote(Table(Row(1, SiloStatus.ShuttingDown), Row(2), Row(3)), S(1), S(3), Now, Options));
        Assert.Null(MembershipPolicy.Vote(Table(Row(1), Row(2), Row(3, SiloStatus.Dead)), S(1), S(3), Now, Options));
        Assert.Null(MembershipPolicy.Vote(Table(Row(1), Row(2)), S(1), S(1), Now, Options));
    }

    [Fact]
    public void Each_live_silo_is_probed_by_exactly_its_k_predecessors()
    {
        var members = Enumerable.Range(1, 8).Select(n => Row(n, n == 8 ? SiloStatus.Dead : SiloStatus.Active)).ToArray();
        var view = MembershipView.From(Table(members));

        var probedBy = members.Where(m => m.IsLive)
            .SelectMany(m => MembershipPolicy.ProbeTargets(view, m.Silo, 3).Select(t => (Prober: m.Silo, Target: t)))
            .GroupBy(p => p.Target)
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(7, probedBy.Count);
        Assert.All(probedBy.Values, n => Assert.Equal(3, n));
        Assert.DoesNotContain(S(8), probedBy.Keys);
    }

    [Fact]
    public void A_silo_alone_probes_nobody()
    {
        var view = MembershipView.From(Table(Row(1)));

        Assert.Empty(MembershipPolicy.ProbeTargets(view, S(1), 3));
    }
}
