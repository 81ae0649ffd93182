using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class MessagesTests(ApiFactory factory)
{
    [Fact]
    public async Task Send_returns_201_with_string_ids_and_a_repeated_nonce_returns_the_original_with_200()
    {
        var alice = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        var first = await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "  hello  ", nonce = "n-1" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var message = await first.BodyAsync();
        Assert.Equal(JsonValueKind.String, message.GetProperty("id").ValueKind);
        Assert.True(long.Parse(message.Str("id"), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(channel, message.Str("channelId"));
        Assert.Equal(alice.Id.ToString(), message.Str("authorId"));
        Assert.Equal("hello", message.Str("content"));
        Assert.False(message.GetProperty("deleted").GetBoolean());
        Assert.Equal("n-1", message.Str("nonce"));
        Assert.False(message.TryGetProperty("editedAt", out _));
        Assert.Equal($"/api/channels/{channel}/messages/{message.Str("id")}", first.Headers.Location?.OriginalString);

        var repeat = await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "hello again", nonce = "n-1" });
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(message.Str("id"), (await repeat.BodyAsync()).Str("id"));

        var history = await (await alice.Client.GetAsync($"/api/channels/{channel}/messages")).BodyAsync();
        Assert.Single(history.EnumerateArray());
    }

    [Theory]
    [InlineData("", "content")]
    [InlineData("   ", "content")]
    public async Task Blank_content_is_400(string content, string field)
    {
        var alice = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        await (await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content })).AssertValidationAsync(field);
        await (await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = new string('x', 4001) })).AssertValidationAsync("content");
        await (await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "x", nonce = "has space" })).AssertValidationAsync("nonce");
        await (await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "x", replyToId = "12x" })).AssertValidationAsync("replyToId");
    }

    [Fact]
    public async Task A_non_member_cannot_read_or_post_404()
    {
        var alice = await factory.NewUserAsync();
        var eve = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        var message = await Chat.SendAsync(alice, channel, "secret");
        await (await eve.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = "hi" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await eve.Client.GetAsync($"/api/channels/{channel}/messages")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await eve.Client.GetAsync($"/api/channels/{channel}/messages/{message}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await eve.Client.PostAsync($"/api/channels/{channel}/typing", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task History_is_newest_first_with_limit_before_after_and_around()
    {
        var alice = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await Chat.SendAsync(alice, channel, $"m{i}"));
        }

        async Task<string[]> Page(string query) =>
            (await (await alice.Client.GetAsync($"/api/channels/{channel}/messages{query}")).BodyAsync())
                .EnumerateArray().Select(m => m.Str("id")).ToArray();

        Assert.Equal(ids.AsEnumerable().Reverse().ToArray(), await Page(""));
        Assert.Equal([ids[6], ids[5]], await Page("?limit=2"));
        Assert.Equal([ids[2], ids[1], ids[0]], await Page($"?before={ids[3]}"));
        Assert.Equal([ids[1], ids[0]], await Page($"?before={ids[2]}&limit=5"));
        Assert.Equal([ids[6], ids[5], ids[4]], await Page($"?after={ids[3]}"));
        var around = await Page($"?around={ids[3]}&limit=3");
        Assert.Equal([ids[4], ids[3], ids[2]], around);
    }

    [Fact]
    public async Task Get_one_edit_by_the_author_and_403_for_others()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var message = await Chat.SendAsync(alice, channel, "first");

        var one = await (await bob.Client.GetAsync($"/api/channels/{channel}/messages/{message}")).BodyAsync();
        Assert.Equal("first", one.Str("content"));

        var edited = await alice.Client.PatchAsJsonAsync($"/api/channels/{channel}/messages/{message}", new { content = "second" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var body = await edited.BodyAsync();
        Assert.Equal("second", body.Str("content"));
        Assert.EndsWith("Z", body.Str("editedAt"), StringComparison.Ordinal);

        await (await bob.Client.PatchAsJsonAsync($"/api/channels/{channel}/messages/{message}", new { content = "hijack" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await alice.Client.PatchAsJsonAsync($"/api/channels/{channel}/messages/{message}", new { content = " " })).AssertValidationAsync("content");
    }

    [Fact]
    public async Task Delete_is_soft_and_allowed_to_author_and_owner_but_not_other_members()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var carol = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id, carol.Id);
        var bobs = await Chat.SendAsync(bob, channel, "bob's");
        var carols = await Chat.SendAsync(carol, channel, "carol's");

        await (await bob.Client.DeleteAsync($"/api/channels/{channel}/messages/{carols}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync($"/api/channels/{channel}/messages/{bobs}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync($"/api/channels/{channel}/messages/{carols}")).StatusCode);

        var history = await (await carol.Client.GetAsync($"/api/channels/{channel}/messages")).BodyAsync();
        Assert.Equal(2, history.GetArrayLength());
        Assert.All(history.EnumerateArray(), m =>
        {
            Assert.True(m.GetProperty("deleted").GetBoolean());
            Assert.DoesNotContain("'s", m.Str("content"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Reactions_are_idempotent_counted_and_removed()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var message = await Chat.SendAsync(alice, channel, "react to me");
        var thumbs = Uri.EscapeDataString("👍");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsync($"/api/channels/{channel}/messages/{message}/reactions/{thumbs}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsync($"/api/channels/{channel}/messages/{message}/reactions/{thumbs}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsync($"/api/channels/{channel}/messages/{message}/reactions/{thumbs}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsync($"/api/channels/{channel}/messages/{message}/reactions/party_parrot", null)).StatusCode);

        var reactions = await (await alice.Client.GetAsync($"/api/channels/{channel}/messages/{message}/reactions")).BodyAsync();
        var byEmoji = reactions.EnumerateArray().ToDictionary(r => r.Str("emoji"));
        Assert.Equal(2, byEmoji["👍"].GetProperty("count").GetInt32());
        Assert.True(byEmoji["👍"].GetProperty("me").GetBoolean());
        Assert.False(byEmoji["party_parrot"].GetProperty("me").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync($"/api/channels/{channel}/messages/{message}/reactions/{thumbs}")).StatusCode);
        reactions = await (await alice.Client.GetAsync($"/api/channels/{channel}/messages/{message}/reactions")).BodyAsync();
        byEmoji = reactions.EnumerateArray().ToDictionary(r => r.Str("emoji"));
        Assert.Equal(1, byEmoji["👍"].GetProperty("count").GetInt32());
        Assert.False(byEmoji["👍"].GetProperty("me").GetBoolean());
    }

    [Fact]
    public async Task Pins_are_listed_newest_pin_first_and_removed()
    {
        var alice = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        var one = await Chat.SendAsync(alice, channel, "one");
        var two = await Chat.SendAsync(alice, channel, "two");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsync($"/api/channels/{channel}/pins/{two}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsync($"/api/channels/{channel}/pins/{one}", null)).StatusCode);
        var pins = await (await alice.Client.GetAsync($"/api/channels/{channel}/pins")).BodyAsync();
        Assert.Equal([one, two], pins.EnumerateArray().Select(m => m.Str("id")).ToArray());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync($"/api/channels/{channel}/pins/{one}")).StatusCode);
        pins = await (await alice.Client.GetAsync($"/api/channels/{channel}/pins")).BodyAsync();
        Assert.Equal([two], pins.EnumerateArray().Select(m => m.Str("id")).ToArray());
        await (await alice.Client.PutAsync($"/api/channels/{channel}/pins/nope", null)).AssertValidationAsync("messageId");
    }

    [Fact]
    public async Task Read_position_moves_forward_only_and_counts_unread_messages_by_others()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        var m1 = await Chat.SendAsync(alice, channel, "1");
        var m2 = await Chat.SendAsync(alice, channel, "2");
        await Chat.SendAsync(alice, channel, "3");

        var state = await (await bob.Client.GetAsync($"/api/channels/{channel}/read")).BodyAsync();
        Assert.Equal(3, state.GetProperty("unreadCount").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/read", new { messageId = m2 })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/read", new { messageId = m1 })).StatusCode);
        state = await (await bob.Client.GetAsync($"/api/channels/{channel}/read")).BodyAsync();
        Assert.Equal(m2, state.Str("lastReadMessageId"));
        Assert.Equal(1, state.GetProperty("unreadCount").GetInt32());

        // Sending moves the sender's own position: own messages are never unread.
        var mine = await (await alice.Client.GetAsync($"/api/channels/{channel}/read")).BodyAsync();
        Assert.Equal(0, mine.GetProperty("unreadCount").GetInt32());

        await (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/read", new { messageId = 5 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/read", new { })).AssertValidationAsync("messageId");
    }

    [Fact]
    public async Task Typing_is_204_for_a_member()
    {
        var alice = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PostAsync($"/api/channels/{channel}/typing", null)).StatusCode);
    }
}
