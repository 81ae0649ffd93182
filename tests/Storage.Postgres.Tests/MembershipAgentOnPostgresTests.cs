using FakeNetwork = WellWon.Membership.Tests.FakeNetwork;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;
using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

/// <summary>The runtime's membership agents with the PostgreSQL table in place of the in-memory one (network faked).</summary>
[Collection(PostgresCollection.Name)]
public sealed class MembershipAgentOnPostgresTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(20);
    private readonly FakeNetwork _network = new();
    private readonly List<MembershipAgent> _agents = [];
    private readonly List<PostgresMembershipTable> _tables = [];
    private readonly string _cluster = MigratedDatabase.NewClusterId();
    private string _db = "";

    public async Task InitializeAsync() => _db = await MigratedDatabase.GetAsync(server);

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        _network.Dispose();
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silos_join_through_postgres_and_a_crashed_one_is_declared_dead_and_its_worker_id_reused()
    {
        var (a, b, crashed) = (await StartAsync(1), await StartAsync(2), await StartAsync(3));
        await Eventually.WaitUntil(
            () => new[] { a, b, crashed }.All(x => x.CurrentView.ActiveSilos.Count == 3), _bound, "all three see three active silos");
        Assert.Equal([0, 1, 2], new[] { a, b, crashed }.Select(x => x.WorkerId));

        _network.Detach(crashed.Silo);
        await crashed.AbortAsync();
        await Eventually.WaitUntil(
            () => a.CurrentView.ActiveSilos.SequenceEqual(new[] { a.Silo, b.Silo }.Order())
                && b.CurrentView.ActiveSilos.SequenceEqual(new[] { a.Silo, b.Silo }.Order()),
            _bound,
            "both survivors drop the crashed silo");

        var data = await _tables[0].ReadAllAsync();
        Assert.True(data.TryGet(crashed.Silo, out var row, out _));
        Assert.Equal(SiloStatus.Dead, row.Status);
        var replacement = await StartAsync(4);
        Assert.Equal(crashed.WorkerId, replacement.WorkerId);
    }

    private async Task<MembershipAgent> StartAsync(int n)
    {
        var silo = new SiloAddress("127.0.0.1", 31000 + n, 2_000 + n);
        var table = new PostgresMembershipTable(_db, _cluster);
        _tables.Add(table);
        var agent = new MembershipAgent(silo, $"silo-{n}", table, _network.TransportFor(silo), new ClusterMembershipOptions());
        _network.Attach(agent);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }
}
