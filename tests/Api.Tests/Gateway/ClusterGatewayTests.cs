using System.Net;
using System.Net.Http.Json;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage.InMemory;
using WellWon.Runtime;
using WellWon.Storage.Postgres;
using WellWon.Testing;

namespace WellWon.Api.Tests.Gateway;

/// <summary>
/// The API in cluster mode: a cluster client that finds two silos through the PostgreSQL membership table, with the
/// gateway node's observer living in the API process and the channel grains on the silos (in-process here, over TCP).
/// </summary>
public class ClusterGatewayFixture : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();

    /// <summary>Gateway settings for the API.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> GatewaySettings => [];

    /// <summary>Silos to start.</summary>
    protected virtual int Silos => 2;

    public TestCluster Cluster { get; private set; } = null!;

    public ClusterApiFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        var clusterId = "gw-" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await _postgres.CreateDatabaseAsync(clusterId.Replace('-', '_'));
        await new PostgresMigrator(connectionString).MigrateAsync();

        // One in-memory store set shared by both silos, standing in for the chat databases.
        var stores = new InMemoryChatStores();
        Cluster = await TestCluster.StartAsync(
            Silos,
            configureSilo: s => s.AddChatGrains().AddInMemoryChatStores(stores),
            table: new PostgresMembershipTable(connectionString, clusterId),
            clusterId: clusterId);
        Api = new ClusterApiFactory(connectionString, clusterId, GatewaySettings);
        await Api.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}

public sealed class ClusterApiFactory(string connectionString, string clusterId, IEnumerable<KeyValuePair<string, string>> extra) : ApiFactory
{
    protected override bool RealServer => true;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Postgres:ConnectionString", connectionString),
        new("WellWon:Silo:ClusterId", clusterId),
        new("WellWon:Api:RateLimit:Enabled", "false"),
        .. extra,
    ];
}

/// <summary>Three silos, and a renewal interval far longer than any test: only a view change can trigger a renewal.</summary>
public sealed class FailoverGatewayFixture : ClusterGatewayFixture
{
    protected override int Silos => 3;

    protected override IEnumerable<KeyValuePair<string, string>> GatewaySettings => [new("WellWon:Gateway:RenewalInterval", "01:00:00")];
}

public sealed class ClusterFailoverGatewayTests(FailoverGatewayFixture fixture) : IClassFixture<FailoverGatewayFixture>
{
    [Fact]
    public async Task After_the_silo_of_a_channel_dies_live_delivery_resumes_within_seconds_not_at_the_next_renewal()
    {
        var api = fixture.Api;
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        await using var bobGateway = await GatewayClient.IdentifyAsync(api.ServerAddress, bob.Token);
        var before = await Chat.SendAsync(alice, channel, "before");
        Assert.Equal(before, (await bobGateway.NextDispatchAsync()).GetProperty("data").Str("id"));

        var grain = GrainId.Create(typeof(IChannelGrain).FullName!, Guid.Parse(channel));
        var victim = fixture.Cluster.LiveSilos.Single(s => s.HasActivation(grain));
        await fixture.Cluster.KillSiloAsync(victim);

        // Keep sending (some sends fail while the cluster notices) until one of them reaches Bob live.
        var sent = new HashSet<string>();
        var received = new HashSet<string>();
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                var dispatch = await bobGateway.NextDispatchAsync(TimeSpan.FromSeconds(60));
                if (dispatch.Str("type") == "MESSAGE_CREATE")
                {
                    lock (received)
                    {
                        received.Add(dispatch.GetProperty("data").Str("id"));
                    }
                }
            }
        });
        await Eventually.WaitUntil(
            async () =>
            {
                var response = await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "after the failover" });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    sent.Add((await response.BodyAsync()).Str("id"));
                }

                lock (received)
                {
                    return received.Overlaps(sent);
                }
            },
            TimeSpan.FromSeconds(30),
            "a message sent after the failover to reach Bob's session");
        Assert.False(reading.IsFaulted, reading.Exception?.ToString());
        Assert.Contains(fixture.Cluster.LiveSilos, s => s.HasActivation(grain));
    }
}

public sealed class ClusterGatewayTests(ClusterGatewayFixture fixture) : IClassFixture<ClusterGatewayFixture>
{
    [Fact]
    public async Task Events_of_channels_on_the_silos_reach_sessions_on_the_api_node_in_order()
    {
        var api = fixture.Api;
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var carol = await api.NewUserAsync("c");
        await using var bobGateway = await GatewayClient.IdentifyAsync(api.ServerAddress, bob.Token);
        await using var carolGateway = await GatewayClient.IdentifyAsync(api.ServerAddress, carol.Token);

        var channels = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            channels.Add(await Chat.CreateChannelAsync(alice, "group", bob.Id));
        }

        // The channels really live on the cluster's silos (not in an in-process development silo).
        Assert.All(channels, c => Assert.Contains(
            fixture.Cluster.LiveSilos, s => s.HasActivation(GrainId.Create(typeof(IChannelGrain).FullName!, Guid.Parse(c)))));

        var sent = new List<string>();
        foreach (var channel in channels)
        {
            for (var i = 0; i < 10; i++)
            {
                sent.Add(await Chat.SendAsync(alice, channel, $"{channel} {i}"));
            }
        }

        var received = new List<string>();
        while (received.Count < sent.Count)
        {
            var dispatch = await bobGateway.NextDispatchAsync();
            if (dispatch.Str("type") == "MESSAGE_CREATE")
            {
                received.Add(dispatch.GetProperty("data").Str("id"));
            }
        }

        Assert.Equal(sent, received);

        // Carol is added to a channel on a silo: from then on she receives it, through this API node.
        var added = await alice.Client.PostAsJsonAsync($"/api/channels/{channels[0]}/members", new { userId = carol.Id.ToString() });
        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        var welcome = await Chat.SendAsync(alice, channels[0], "welcome");
        var carolSaw = await carolGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == welcome);
        Assert.Equal(["MEMBER_ADD", "MESSAGE_CREATE"], carolSaw.Select(d => d.Str("type")));
    }
}
