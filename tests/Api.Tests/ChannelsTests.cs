using System.Net;
using System.Net.Http.Json;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ChannelsTests(ApiFactory factory)
{
    [Fact]
    public async Task Create_returns_201_and_the_creator_owns_the_channel()
    {
        var alice = await factory.NewUserAsync();
        var response = await alice.Client.PostAsJsonAsync("/api/channels", new { type = "group", name = "  Team  " });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Equal("group", body.Str("type"));
        Assert.Equal("Team", body.Str("name"));
        Assert.Equal(alice.Id.ToString(), body.Str("ownerId"));
        Assert.Equal($"/api/channels/{body.Str("id")}", response.Headers.Location?.OriginalString);

        var get = await (await alice.Client.GetAsync($"/api/channels/{body.Str("id")}")).BodyAsync();
        Assert.Equal(body.Str("id"), get.Str("id"));
    }

    [Fact]
    public async Task A_group_is_invisible_to_non_members_and_a_public_channel_is_visible_to_all()
    {
        var alice = await factory.NewUserAsync();
        var eve = await factory.NewUserAsync();
        var group = await Chat.CreateChannelAsync(alice, "group");
        var open = await Chat.CreateChannelAsync(alice, "public");
        await (await eve.Client.GetAsync($"/api/channels/{group}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await eve.Client.GetAsync($"/api/channels/{group}/members")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await eve.Client.GetAsync($"/api/channels/{open}")).StatusCode);
    }

    [Fact]
    public async Task The_direct_channel_of_a_pair_has_one_id_from_either_side()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var first = await alice.Client.PostAsJsonAsync("/api/channels/direct", new { userId = bob.Id.ToString() });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await bob.Client.PostAsJsonAsync("/api/channels/direct", new { userId = alice.Id.ToString() });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.BodyAsync();
        Assert.Equal("direct", a.Str("type"));
        Assert.Equal(a.Str("id"), (await second.BodyAsync()).Str("id"));

        await (await alice.Client.PostAsJsonAsync("/api/channels/direct", new { userId = alice.Id.ToString() })).AssertValidationAsync("userId");
        await (await alice.Client.PostAsJsonAsync("/api/channels/direct", new { userId = Guid.NewGuid().ToString() })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Owner_adds_members_and_a_member_may_not()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var carol = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = bob.Id.ToString() })).StatusCode);
        await (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = carol.Id.ToString() })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await carol.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = carol.Id.ToString() })).AssertProblemAsync(HttpStatusCode.NotFound);

        var members = await (await bob.Client.GetAsync($"/api/channels/{channel}/members")).BodyAsync();
        var roles = members.EnumerateArray().ToDictionary(m => m.Str("userId"), m => m.Str("role"));
        Assert.Equal("owner", roles[alice.Id.ToString()]);
        Assert.Equal("member", roles[bob.Id.ToString()]);
        Assert.All(members.EnumerateArray(), m => Assert.EndsWith("Z", m.Str("joinedAt"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anyone_joins_a_public_channel_and_members_leave_or_are_removed()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var carol = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "public");

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = bob.Id.ToString() })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = carol.Id.ToString() })).StatusCode);

        // A member may not remove someone else; the owner may; a member may leave.
        await (await bob.Client.DeleteAsync($"/api/channels/{channel}/members/{carol.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync($"/api/channels/{channel}/members/{carol.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync($"/api/channels/{channel}/members/{bob.Id}")).StatusCode);

        var members = await (await alice.Client.GetAsync($"/api/channels/{channel}/members")).BodyAsync();
        Assert.Equal([alice.Id.ToString()], members.EnumerateArray().Select(m => m.Str("userId")).ToArray());
        await (await bob.Client.GetAsync($"/api/channels/{channel}/messages")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await alice.Client.DeleteAsync($"/api/channels/{channel}/members/bad")).AssertValidationAsync("userId");
    }
}

[Collection(ApiCollection.Name)]
public sealed class VisibilityTests(ApiFactory factory)
{
    [Fact]
    public async Task A_member_who_left_and_rejoined_sees_nothing_sent_while_away()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "public");
        await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = bob.Id.ToString() });
        var before = await Chat.SendAsync(alice, channel, "before");
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync($"/api/channels/{channel}/members/{bob.Id}")).StatusCode);
        var away = await Chat.SendAsync(alice, channel, "while away");
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsJsonAsync($"/api/channels/{channel}/members", new { userId = bob.Id.ToString() })).StatusCode);
        var after = await Chat.SendAsync(alice, channel, "after");

        var history = await (await bob.Client.GetAsync($"/api/channels/{channel}/messages")).BodyAsync();
        Assert.Equal([after, before], history.EnumerateArray().Select(m => m.Str("id")).ToArray());
        await (await bob.Client.GetAsync($"/api/channels/{channel}/messages/{away}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_member_ids_at_creation_are_rejected()
    {
        var alice = await factory.NewUserAsync();
        var response = await alice.Client.PostAsJsonAsync("/api/channels", new { type = "group", name = "x", memberIds = new[] { Guid.NewGuid().ToString() } });
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        await response.AssertProblemAsync(response.StatusCode);
    }
}
