using WellWon.Runtime.Membership;
using Xunit.Abstractions;

namespace WellWon.Membership.Tests;

public sealed class TimeProviderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 1, 0, 0, TimeSpan.Zero);

    private readonly ITestOutputHelper _output;

    public TimeProviderTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Join_and_heartbeat_times_come_from_the_injected_clock_and_follow_it()
    {
        var time = new ManualTimeProvider(T0);
        await using var cluster = new AgentCluster(_output, time: time);
        var agent = cluster.Create(1);

        await agent.StartAsync();

        var row = await cluster.RowOf(agent.Silo);
        Assert.Equal((T0, T0), (row.StartTime, row.IAmAliveTime));

        // Nothing happens while the clock stands still; the heartbeat follows the clock once it moves.
        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                return cluster.RowOf(agent.Silo).Result.IAmAliveTime >= T0 + ClusterMembershipOptions.DefaultIAmAlivePeriod;
            },
            TimeSpan.FromSeconds(15),
            "a heartbeat stamped with the advanced clock");
        var beat = (await cluster.RowOf(agent.Silo)).IAmAliveTime;
        Assert.True(beat <= time.GetUtcNow(), $"heartbeat {beat} is not ahead of the clock {time.GetUtcNow()}");
    }
}
