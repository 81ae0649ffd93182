using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using WellWon.Testing;

namespace WellWon.Api.Tests.Gateway;

/// <summary>The gateway against the running host on a real port: protocol, fan-out, ordering, membership.</summary>
public sealed class GatewayTests(GatewayApiFactory api) : IClassFixture<GatewayApiFactory>
{
    private Uri Server => api.ServerAddress;

    [Fact]
    public async Task A_plain_http_request_to_the_gateway_is_a_400_problem()
    {
        using var client = api.Anonymous();
        var response = await client.GetAsync("/gateway");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Identify_answers_ready_and_dispatches_start_at_seq_1_with_the_message()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        await using var gateway = await GatewayClient.ConnectAsync(Server);
        await gateway.SendAsync(new { op = "identify", token = bob.Token });

        var ready = await gateway.NextAsync();
        Assert.Equal("ready", ready.Str("op"));
        Assert.Equal(30_000, ready.GetProperty("heartbeatIntervalMs").GetInt64());
        Assert.Equal(bob.Id.ToString(), ready.Str("userId"));
        Assert.False(ready.GetProperty("resumed").GetBoolean());
        Assert.Equal(32, ready.Str("sessionId").Length);

        var id = await Chat.SendAsync(alice, channel, "hello bob");
        var dispatch = await gateway.NextDispatchAsync();
        Assert.Equal(1, dispatch.GetProperty("seq").GetInt64());
        Assert.Equal("MESSAGE_CREATE", dispatch.Str("type"));
        var data = dispatch.GetProperty("data");
        Assert.Equal(id, data.Str("id"));
        Assert.Equal(channel, data.Str("channelId"));
        Assert.Equal(alice.Id.ToString(), data.Str("authorId"));
        Assert.Equal("hello bob", data.Str("content"));
    }

    [Fact]
    public async Task Heartbeats_are_acknowledged()
    {
        var user = await api.NewUserAsync();
        await using var gateway = await GatewayClient.IdentifyAsync(Server, user.Token, heartbeat: false);
        await gateway.SendAsync(new { op = "heartbeat" });
        Assert.Equal("heartbeat_ack", (await NextRawAsync(gateway)).Str("op"));
    }

    [Theory]
    [InlineData("{\"op\":\"identify\",\"token\":\"ww1.not-a-token\"}", 4004)]
    [InlineData("{\"op\":\"identify\"}", 4004)]
    [InlineData("{\"op\":\"dance\"}", 4001)]
    [InlineData("not json", 4002)]
    [InlineData("[1,2]", 4002)]
    [InlineData("{\"op\":42}", 4002)]
    [InlineData("{\"token\":\"x\"}", 4002)]
    [InlineData("{\"op\":\"heartbeat\"}", 4003)]
    [InlineData("{\"op\":\"resume\",\"token\":\"ww1.bad\",\"sessionId\":\"x\",\"seq\":0}", 4004)]
    public async Task Bad_first_frames_close_the_connection_with_the_documented_code(string frame, int code)
    {
        await using var gateway = await GatewayClient.ConnectAsync(Server);
        await gateway.SendTextAsync(frame);
        Assert.Equal(code, await gateway.Closed.WaitAsync(GatewayClient.Wait));
    }

    [Fact]
    public async Task A_resume_without_seq_is_a_decode_error_and_an_oversized_frame_too()
    {
        var user = await api.NewUserAsync();
        await using (var gateway = await GatewayClient.ConnectAsync(Server))
        {
            await gateway.SendAsync(new { op = "resume", token = user.Token, sessionId = "abc" });
            Assert.Equal(4002, await gateway.Closed.WaitAsync(GatewayClient.Wait));
        }

        await using (var gateway = await GatewayClient.ConnectAsync(Server))
        {
            await gateway.SendTextAsync("{\"op\":\"heartbeat\",\"pad\":\"" + new string('x', 5000) + "\"}");
            Assert.Equal(4002, await gateway.Closed.WaitAsync(GatewayClient.Wait));
        }
    }

    [Fact]
    public async Task A_second_identify_on_the_same_connection_is_refused()
    {
        var user = await api.NewUserAsync();
        await using var gateway = await GatewayClient.IdentifyAsync(Server, user.Token, heartbeat: false);
        await gateway.SendAsync(new { op = "identify", token = user.Token });
        Assert.Equal(4005, await gateway.Closed.WaitAsync(GatewayClient.Wait));
    }

    [Fact]
    public async Task Concurrent_senders_reach_every_session_in_one_order_with_gap_free_seq()
    {
        const int senders = 4, perSender = 40;
        var users = new List<TestUser>();
        for (var i = 0; i < senders + 2; i++)
        {
            users.Add(await api.NewUserAsync("c"));
        }

        var channel = await Chat.CreateChannelAsync(users[0], "group", users.Skip(1).Select(u => u.Id).ToArray());
        var listeners = new List<GatewayClient>();
        foreach (var user in users.TakeLast(2))
        {
            listeners.Add(await GatewayClient.IdentifyAsync(Server, user.Token));
        }

        // A second session of the same user gets its own sequence.
        listeners.Add(await GatewayClient.IdentifyAsync(Server, users[^1].Token));
        try
        {
            await Task.WhenAll(users.Take(senders).Select(async (sender, s) =>
            {
                for (var i = 0; i < perSender; i++)
                {
                    await Chat.SendAsync(sender, channel, $"s{s}-{i}");
                }
            }));

            var orders = new List<List<string>>();
            foreach (var listener in listeners)
            {
                var ids = new List<string>();
                var seqs = new List<long>();
                while (ids.Count < senders * perSender)
                {
                    var dispatch = await listener.NextDispatchAsync();
                    seqs.Add(dispatch.GetProperty("seq").GetInt64());
                    Assert.Equal("MESSAGE_CREATE", dispatch.Str("type"));
                    ids.Add(dispatch.GetProperty("data").Str("id"));
                }

                // Gap-free: the client asserts every seq is the previous one plus one (ignored presence included).
                Assert.Equal(seqs.Count, seqs.Distinct().Count());
                Assert.Equal(listener.LastSeq, seqs[^1]);
                // The channel's order: Snowflake IDs increase, every message exactly once.
                Assert.Equal(ids.OrderBy(long.Parse), ids.Select(x => x));
                Assert.Equal(ids.Count, ids.Distinct().Count());
                orders.Add(ids);
            }

            Assert.All(orders, o => Assert.Equal(orders[0], o));
        }
        finally
        {
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Resume_replays_exactly_the_missed_dispatches_then_continues_live()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var first = await GatewayClient.IdentifyAsync(Server, bob.Token);
        for (var i = 0; i < 3; i++)
        {
            await Chat.SendAsync(alice, channel, "before " + i);
            await first.NextDispatchAsync();
        }

        Assert.Equal(3, first.LastSeq);
        var sessionId = first.SessionId!;
        first.Abort();
        await first.DisposeAsync();

        var missed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            missed.Add(await Chat.SendAsync(alice, channel, "missed " + i));
        }

        // Resume from seq 2: the client says it processed only up to 2, so 3 comes again, then the five it missed.
        await using var second = await GatewayClient.ConnectAsync(Server);
        second.LastSeq = 2;
        await second.SendAsync(new { op = "resume", token = bob.Token, sessionId, seq = 2 });
        var ready = await second.NextAsync();
        Assert.Equal("ready", ready.Str("op"));
        Assert.True(ready.GetProperty("resumed").GetBoolean());
        Assert.Equal(sessionId, ready.Str("sessionId"));
        Assert.Equal(8, ready.GetProperty("seq").GetInt64());

        var replayed = new List<JsonElement>();
        for (var i = 0; i < 6; i++)
        {
            replayed.Add(await NextDispatchFromAsync(second, 3 + i));
        }

        Assert.Equal("before 2", replayed[0].GetProperty("data").Str("content"));
        Assert.Equal(missed, replayed.Skip(1).Select(d => d.GetProperty("data").Str("id")));

        var live = await Chat.SendAsync(alice, channel, "live");
        var next = await NextDispatchFromAsync(second, 9);
        Assert.Equal(live, next.GetProperty("data").Str("id"));
    }

    [Fact]
    public async Task A_resume_of_someone_elses_or_an_unknown_session_is_invalid_and_identify_then_works_on_the_same_socket()
    {
        var alice = await api.NewUserAsync("a");
        var mallory = await api.NewUserAsync("m");
        await using var alices = await GatewayClient.IdentifyAsync(Server, alice.Token);

        await using var gateway = await GatewayClient.ConnectAsync(Server);
        await gateway.SendAsync(new { op = "resume", token = mallory.Token, sessionId = alices.SessionId, seq = 0 });
        Assert.Equal("invalid_session", (await gateway.NextAsync()).Str("op"));
        await gateway.SendAsync(new { op = "resume", token = mallory.Token, sessionId = "0123456789abcdef0123456789abcdef", seq = 0 });
        Assert.Equal("invalid_session", (await gateway.NextAsync()).Str("op"));

        await gateway.SendAsync(new { op = "identify", token = mallory.Token });
        var ready = await gateway.NextAsync();
        Assert.Equal("ready", ready.Str("op"));
        Assert.NotEqual(alices.SessionId, ready.Str("sessionId"));
    }

    [Fact]
    public async Task Resuming_on_a_new_connection_closes_the_old_one_with_4011()
    {
        var user = await api.NewUserAsync();
        await using var old = await GatewayClient.IdentifyAsync(Server, user.Token);
        await using var fresh = await GatewayClient.ConnectAsync(Server);
        await fresh.SendAsync(new { op = "resume", token = user.Token, sessionId = old.SessionId, seq = 0 });
        Assert.Equal("ready", (await fresh.NextAsync()).Str("op"));
        Assert.Equal(4011, await old.Closed.WaitAsync(GatewayClient.Wait));
    }

    [Fact]
    public async Task A_removed_member_receives_the_removal_and_nothing_more_from_that_channel()
    {
        var owner = await api.NewUserAsync("o");
        var bob = await api.NewUserAsync("b");
        var group = await Chat.CreateChannelAsync(owner, "group", bob.Id);
        var marker = await Chat.CreateChannelAsync(owner, "group", bob.Id);
        await using var ownerGateway = await GatewayClient.IdentifyAsync(Server, owner.Token);
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);

        await Chat.SendAsync(owner, group, "before removal");
        Assert.Equal("before removal", (await bobGateway.NextDispatchAsync()).GetProperty("data").Str("content"));

        var removed = await owner.Client.DeleteAsync($"/api/channels/{group}/members/{bob.Id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var removal = await bobGateway.NextDispatchAsync();
        Assert.Equal("MEMBER_REMOVE", removal.Str("type"));
        Assert.Equal(bob.Id.ToString(), removal.GetProperty("data").Str("userId"));

        for (var i = 0; i < 5; i++)
        {
            await Chat.SendAsync(owner, group, "after removal " + i);
        }

        await owner.Client.PutAsync($"/api/channels/{group}/messages/{await Chat.SendAsync(owner, group, "react")}/reactions/%F0%9F%91%8D", null);
        var markerId = await Chat.SendAsync(owner, marker, "marker");

        // The owner's session saw all of it (so it was fanned out), Bob's only the marker.
        var ownerSaw = await ownerGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == markerId);
        Assert.Contains(ownerSaw, d => d.Str("type") == "REACTION_ADD");
        var bobSaw = await bobGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == markerId);
        Assert.Single(bobSaw);
    }

    [Fact]
    public async Task A_user_added_later_receives_from_then_on_even_when_the_node_did_not_follow_the_channel()
    {
        var owner = await api.NewUserAsync("o");
        var carol = await api.NewUserAsync("c");
        var group = await Chat.CreateChannelAsync(owner, "group");
        await Chat.SendAsync(owner, group, "before carol");

        // Only Carol is connected: no session on this node had a reason to follow the group.
        await using var carolGateway = await GatewayClient.IdentifyAsync(Server, carol.Token);
        var added = await owner.Client.PostAsJsonAsync($"/api/channels/{group}/members", new { userId = carol.Id.ToString() });
        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        var welcome = await Chat.SendAsync(owner, group, "welcome carol");

        var memberAdd = await carolGateway.NextDispatchAsync();
        Assert.Equal("MEMBER_ADD", memberAdd.Str("type"));
        Assert.Equal(group, memberAdd.GetProperty("data").Str("channelId"));
        Assert.Equal(carol.Id.ToString(), memberAdd.GetProperty("data").Str("userId"));
        Assert.Equal("member", memberAdd.GetProperty("data").Str("role"));
        var message = await carolGateway.NextDispatchAsync();
        Assert.Equal(welcome, message.GetProperty("data").Str("id"));
    }

    [Fact]
    public async Task A_new_channel_and_a_direct_channel_announce_their_members()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);

        var direct = await alice.Client.PostAsJsonAsync("/api/channels/direct", new { userId = bob.Id.ToString() });
        var directId = (await direct.BodyAsync()).Str("id");
        var adds = new[] { await bobGateway.NextDispatchAsync(), await bobGateway.NextDispatchAsync() };
        Assert.All(adds, a => Assert.Equal("MEMBER_ADD", a.Str("type")));
        Assert.All(adds, a => Assert.Equal(directId, a.GetProperty("data").Str("channelId")));
        Assert.Equal(new[] { alice.Id, bob.Id }.Select(i => i.ToString()).Order(), adds.Select(a => a.GetProperty("data").Str("userId")).Order());

        var id = await Chat.SendAsync(alice, directId, "psst");
        Assert.Equal(id, (await bobGateway.NextDispatchAsync()).GetProperty("data").Str("id"));
    }

    [Fact]
    public async Task Edits_deletes_reactions_pins_and_read_updates_are_dispatched_with_their_data()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);
        await using var bobSecond = await GatewayClient.IdentifyAsync(Server, bob.Token);
        await using var aliceGateway = await GatewayClient.IdentifyAsync(Server, alice.Token);

        var id = await Chat.SendAsync(alice, channel, "v1");
        await alice.Client.PatchAsJsonAsync($"/api/channels/{channel}/messages/{id}", new { content = "v2" });
        await bob.Client.PutAsync($"/api/channels/{channel}/messages/{id}/reactions/%F0%9F%8E%89", null);
        await bob.Client.DeleteAsync($"/api/channels/{channel}/messages/{id}/reactions/%F0%9F%8E%89");
        await bob.Client.PutAsync($"/api/channels/{channel}/pins/{id}", null);
        await bob.Client.DeleteAsync($"/api/channels/{channel}/pins/{id}");
        await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/read", new { messageId = id });
        await alice.Client.DeleteAsync($"/api/channels/{channel}/messages/{id}");

        var bobSaw = await bobGateway.ReadUntilAsync("MESSAGE_DELETE");
        Assert.Equal(
            ["MESSAGE_CREATE", "MESSAGE_UPDATE", "REACTION_ADD", "REACTION_REMOVE", "PIN_ADD", "PIN_REMOVE", "READ_UPDATE", "MESSAGE_DELETE"],
            bobSaw.Select(d => d.Str("type")));
        Assert.Equal("v2", bobSaw[1].GetProperty("data").Str("content"));
        Assert.True(bobSaw[1].GetProperty("data").TryGetProperty("editedAt", out _));
        var reaction = bobSaw[2].GetProperty("data");
        Assert.Equal((channel, id, bob.Id.ToString(), "\U0001F389"), (reaction.Str("channelId"), reaction.Str("messageId"), reaction.Str("userId"), reaction.Str("emoji")));
        Assert.Equal((channel, id), (bobSaw[4].GetProperty("data").Str("channelId"), bobSaw[4].GetProperty("data").Str("messageId")));
        Assert.Equal((channel, id), (bobSaw[6].GetProperty("data").Str("channelId"), bobSaw[6].GetProperty("data").Str("lastReadMessageId")));
        Assert.Equal((id, channel), (bobSaw[7].GetProperty("data").Str("id"), bobSaw[7].GetProperty("data").Str("channelId")));

        // READ_UPDATE goes to the reader's own sessions only.
        Assert.Contains(await bobSecond.ReadUntilAsync("MESSAGE_DELETE"), d => d.Str("type") == "READ_UPDATE");
        Assert.DoesNotContain(await aliceGateway.ReadUntilAsync("MESSAGE_DELETE"), d => d.Str("type") == "READ_UPDATE");
    }

    [Fact]
    public async Task Typing_reaches_the_other_members_but_not_the_typist_and_is_not_repeated_while_fresh()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        await using var aliceGateway = await GatewayClient.IdentifyAsync(Server, alice.Token);
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsync($"/api/channels/{channel}/typing", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsync($"/api/channels/{channel}/typing", null)).StatusCode);
        var marker = await Chat.SendAsync(bob, channel, "marker");

        var aliceSaw = await aliceGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == marker);
        var typing = Assert.Single(aliceSaw, d => d.Str("type") == "TYPING_START").GetProperty("data");
        Assert.Equal((channel, bob.Id.ToString()), (typing.Str("channelId"), typing.Str("userId")));
        var expiresIn = typing.GetProperty("expiresAt").GetDateTimeOffset() - before;
        Assert.InRange(expiresIn, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(await bobGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == marker), d => d.Str("type") == "TYPING_START");

        // Sending ended Bob's typing: typing again right away is announced again.
        await bob.Client.PostAsync($"/api/channels/{channel}/typing", null);
        var again = await aliceGateway.NextDispatchAsync();
        Assert.Equal("TYPING_START", again.Str("type"));
    }

    [Fact]
    public async Task Presence_changes_reach_users_who_share_a_channel()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var stranger = await api.NewUserAsync("s");
        await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var strangers = await Chat.CreateChannelAsync(stranger, "group");
        await using var aliceGateway = await GatewayClient.IdentifyAsync(Server, alice.Token);
        await using var strangerGateway = await GatewayClient.IdentifyAsync(Server, stranger.Token);
        aliceGateway.Ignored.Clear();
        strangerGateway.Ignored.Clear();

        // Bob connects: online.
        await using var bobGateway = await GatewayClient.IdentifyAsync(Server, bob.Token);
        var online = (await aliceGateway.ReadUntilAsync("PRESENCE_UPDATE", d => d.Str("userId") == bob.Id.ToString()))[^1].GetProperty("data");
        Assert.Equal("online", online.Str("status"));

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsJsonAsync("/api/users/@me/presence", new { status = "dnd" })).StatusCode);
        var dnd = (await aliceGateway.ReadUntilAsync("PRESENCE_UPDATE", d => d.Str("userId") == bob.Id.ToString()))[^1].GetProperty("data");
        Assert.Equal("dnd", dnd.Str("status"));

        var marker = await Chat.SendAsync(stranger, strangers, "marker");
        Assert.DoesNotContain(await strangerGateway.ReadUntilAsync("MESSAGE_CREATE", d => d.Str("id") == marker), d => d.Str("type") == "PRESENCE_UPDATE");
    }

    [Fact]
    public async Task The_gateway_shows_up_in_metrics()
    {
        var user = await api.NewUserAsync();
        await using var gateway = await GatewayClient.IdentifyAsync(Server, user.Token);
        using var client = api.Anonymous();
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("wellwon_gateway_sessions", text, StringComparison.Ordinal);
        Assert.Contains("wellwon_gateway_connections", text, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> NextRawAsync(GatewayClient gateway)
    {
        // heartbeat_ack is skipped by NextAsync; read it through HasPending.
        await Eventually.WaitUntil(() => gateway.HasPending(out _), GatewayClient.Wait, "a frame");
        gateway.HasPending(out var frame);
        return frame;
    }

    private static async Task<JsonElement> NextDispatchFromAsync(GatewayClient gateway, long expectedSeq)
    {
        var frame = await gateway.NextAsync();
        Assert.Equal("dispatch", frame.Str("op"));
        Assert.Equal(expectedSeq, frame.GetProperty("seq").GetInt64());
        return frame;
    }
}
