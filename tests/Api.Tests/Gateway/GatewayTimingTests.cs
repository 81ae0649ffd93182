using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using WellWon.Api.Gateway;
using WellWon.Testing;

namespace WellWon.Api.Tests.Gateway;

/// <summary>Heartbeats, identify timeout, resume window and replay limit, on a host with short settings (heartbeat 400 ms, resume window 1 s, replay 16).</summary>
public sealed class GatewayTimingTests(TimingGatewayApiFactory api) : IClassFixture<TimingGatewayApiFactory>
{
    private Uri Server => api.ServerAddress;

    private GatewayNode Node => api.Services.GetRequiredService<GatewayNode>();

    [Fact]
    public async Task A_connection_that_never_identifies_is_closed_with_4003()
    {
        var started = Stopwatch.StartNew();
        await using var gateway = await GatewayClient.ConnectAsync(Server);
        Assert.Equal(4003, await gateway.Closed.WaitAsync(GatewayClient.Wait));
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(450), $"closed after {started.Elapsed}, before the identify timeout");
    }

    [Fact]
    public async Task A_silent_session_is_closed_with_4009_after_two_intervals_while_a_heartbeating_one_stays_open()
    {
        var user = await api.NewUserAsync();
        var started = Stopwatch.StartNew();
        await using var silent = await GatewayClient.IdentifyAsync(Server, user.Token, heartbeat: false);
        await using var beating = await GatewayClient.IdentifyAsync(Server, user.Token, heartbeat: true);

        Assert.Equal(4009, await silent.Closed.WaitAsync(GatewayClient.Wait));
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(800), $"closed after {started.Elapsed}, before two heartbeat intervals");

        // The silent session may be resumed within the window (1 s here).
        await using var resumed = await GatewayClient.ConnectAsync(Server);
        await resumed.SendAsync(new { op = "resume", token = user.Token, sessionId = silent.SessionId, seq = 0 });
        Assert.Equal("ready", (await resumed.NextAsync()).Str("op"));
        resumed.StartHeartbeats(TimeSpan.FromMilliseconds(400));

        // Three more intervals later the heartbeating session is still there and answering.
        var more = Stopwatch.StartNew();
        await Eventually.WaitUntil(() => more.Elapsed > TimeSpan.FromMilliseconds(1200), GatewayClient.Wait, "three more intervals");
        Assert.Equal(WebSocketState.Open, beating.State);
        Assert.False(beating.Closed.IsCompleted);

    }

    [Fact]
    public async Task Past_the_resume_window_a_resume_gets_invalid_session_and_identify_works_on_the_same_socket()
    {
        var user = await api.NewUserAsync();
        var first = await GatewayClient.IdentifyAsync(Server, user.Token);
        var sessionId = first.SessionId!;
        first.Abort();
        await first.DisposeAsync();

        await Eventually.WaitUntil(() => Node.FindSession(sessionId) is null, GatewayClient.Wait, "the session to expire");

        await using var gateway = await GatewayClient.ConnectAsync(Server);
        await gateway.SendAsync(new { op = "resume", token = user.Token, sessionId, seq = 0 });
        Assert.Equal("invalid_session", (await gateway.NextAsync()).Str("op"));
        await gateway.SendAsync(new { op = "identify", token = user.Token });
        var ready = await gateway.NextAsync();
        Assert.Equal("ready", ready.Str("op"));
        Assert.NotEqual(sessionId, ready.Str("sessionId"));
    }

    [Fact]
    public async Task A_resume_from_before_the_replay_buffer_is_invalid_but_one_within_it_replays_the_rest()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var first = await GatewayClient.IdentifyAsync(Server, bob.Token);
        var sessionId = first.SessionId!;
        first.Abort();
        await first.DisposeAsync();
        await Eventually.WaitUntil(() => Node.FindSession(sessionId) is { IsAttached: false }, GatewayClient.Wait, "the session to notice the drop");

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await Chat.SendAsync(alice, channel, "m" + i));
        }

        // The buffer holds 16: seq 1..4 are gone.
        await using var gateway = await GatewayClient.ConnectAsync(Server);
        await gateway.SendAsync(new { op = "resume", token = bob.Token, sessionId, seq = 0 });
        Assert.Equal("invalid_session", (await gateway.NextAsync()).Str("op"));

        gateway.LastSeq = 4;
        await gateway.SendAsync(new { op = "resume", token = bob.Token, sessionId, seq = 4 });
        Assert.Equal("ready", (await gateway.NextAsync()).Str("op"));
        var replayed = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            replayed.Add((await gateway.NextDispatchAsync()).GetProperty("data").Str("id"));
        }

        Assert.Equal(ids.Skip(4), replayed);
    }

    [Fact]
    public async Task A_clean_close_ends_the_session_so_it_cannot_be_resumed()
    {
        var user = await api.NewUserAsync();
        var gateway = await GatewayClient.IdentifyAsync(Server, user.Token);
        var sessionId = gateway.SessionId!;
        await gateway.CloseAsync(WebSocketCloseStatus.NormalClosure);
        await Eventually.WaitUntil(() => Node.FindSession(sessionId) is null, GatewayClient.Wait, "the session to end");
        await gateway.DisposeAsync();

        await using var again = await GatewayClient.ConnectAsync(Server);
        await again.SendAsync(new { op = "resume", token = user.Token, sessionId, seq = 0 });
        Assert.Equal("invalid_session", (await again.NextAsync()).Str("op"));
    }

    [Fact]
    public async Task Presence_is_not_fanned_out_through_channels_with_more_local_members_than_the_limit()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var carol = await api.NewUserAsync("c");
        var dave = await api.NewUserAsync("d");
        var large = await Chat.CreateChannelAsync(alice, "group", bob.Id, carol.Id, dave.Id);
        await Chat.CreateChannelAsync(alice, "group", dave.Id);
        await using var aliceGateway = await GatewayClient.IdentifyAsync(Server, alice.Token);
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);
        await using var carolGateway = await GatewayClient.IdentifyAsync(Server, carol.Token);
        aliceGateway.Ignored.Clear();
        bobGateway.Ignored.Clear();

        // Dave connects: four local members in the large channel (limit 3), two in the small one.
        await using var daveGateway = await GatewayClient.IdentifyAsync(Server, dave.Token);
        var online = (await aliceGateway.ReadUntilAsync("PRESENCE_UPDATE", d => d.Str("userId") == dave.Id.ToString()))[^1];
        Assert.Equal("online", online.GetProperty("data").Str("status"));

        var marker = await Chat.SendAsync(alice, large, "marker");
        var bobSaw = await bobGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == marker);
        Assert.DoesNotContain(bobSaw, d => d.Str("type") == "PRESENCE_UPDATE" && d.GetProperty("data").Str("userId") == dave.Id.ToString());
    }

    [Fact]
    public async Task Past_the_session_limit_the_oldest_unconnected_session_makes_room_and_otherwise_identify_is_refused()
    {
        var user = await api.NewUserAsync();
        await using var first = await GatewayClient.IdentifyAsync(Server, user.Token);
        var second = await GatewayClient.IdentifyAsync(Server, user.Token);

        await using (var third = await GatewayClient.ConnectAsync(Server))
        {
            await third.SendAsync(new { op = "identify", token = user.Token });
            Assert.Equal(4008, await third.Closed.WaitAsync(GatewayClient.Wait));
        }

        var dropped = second.SessionId!;
        second.Abort();
        await second.DisposeAsync();
        await Eventually.WaitUntil(() => Node.FindSession(dropped) is { IsAttached: false }, GatewayClient.Wait, "the dropped session to be detached");

        await using var fourth = await GatewayClient.IdentifyAsync(Server, user.Token);
        Assert.Null(Node.FindSession(dropped));
        Assert.NotNull(Node.FindSession(first.SessionId!));
    }
}
