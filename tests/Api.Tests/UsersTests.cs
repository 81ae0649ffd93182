using System.Net;
using System.Net.Http.Json;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class UsersTests(ApiFactory factory)
{
    [Fact]
    public async Task Me_returns_the_callers_profile()
    {
        var user = await factory.NewUserAsync("me");
        var body = await (await user.Client.GetAsync("/api/users/@me")).BodyAsync();
        Assert.Equal(user.Id.ToString(), body.Str("id"));
        Assert.Equal(user.Username, body.Str("username"));
        Assert.Equal("Test me", body.Str("displayName"));
        Assert.True(DateTimeOffset.TryParse(body.Str("createdAt"), out _));
    }

    [Fact]
    public async Task A_user_is_visible_by_id_and_an_unknown_user_is_404()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var response = await bob.Client.GetAsync($"/api/users/{alice.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(alice.Username, (await response.BodyAsync()).Str("username"));

        var unknown = await bob.Client.GetAsync($"/api/users/{Guid.NewGuid()}");
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_user_is_found_by_username_with_the_same_profile_as_by_id()
    {
        var alice = await factory.NewUserAsync("find");
        var bob = await factory.NewUserAsync();
        var byId = await (await bob.Client.GetAsync($"/api/users/{alice.Id}")).BodyAsync();

        var response = await bob.Client.GetAsync($"/api/users/by-username/{alice.Username}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Equal(byId.ToString(), body.ToString());

        // Usernames are lower-case; a lookup typed with capitals finds the same user.
        var upper = await (await bob.Client.GetAsync($"/api/users/by-username/{alice.Username.ToUpperInvariant()}")).BodyAsync();
        Assert.Equal(alice.Id.ToString(), upper.Str("id"));
    }

    [Fact]
    public async Task Lookup_by_username_is_404_when_unknown_400_when_invalid_and_401_without_a_token()
    {
        var bob = await factory.NewUserAsync();
        var unknown = $"nobody{Guid.NewGuid():N}"[..20];
        await (await bob.Client.GetAsync($"/api/users/by-username/{unknown}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await bob.Client.GetAsync("/api/users/by-username/ab")).AssertValidationAsync("username");
        await (await bob.Client.GetAsync("/api/users/by-username/bad%20name")).AssertValidationAsync("username");
        await (await bob.Client.GetAsync($"/api/users/by-username/{new string('a', 33)}")).AssertValidationAsync("username");

        using var anonymous = factory.Anonymous();
        await (await anonymous.GetAsync($"/api/users/by-username/{bob.Username}")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task My_channels_list_each_channel_with_last_message_and_unread_count()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id);
        await Chat.SendAsync(alice, channel, "one");
        var last = await Chat.SendAsync(alice, channel, "two");

        var list = await (await bob.Client.GetAsync("/api/users/@me/channels")).BodyAsync();
        var entry = list.EnumerateArray().Single(e => e.GetProperty("channel").Str("id") == channel);
        Assert.Equal(last, entry.Str("lastMessageId"));
        Assert.Equal(2, entry.GetProperty("unreadCount").GetInt32());

        var mine = await (await alice.Client.GetAsync("/api/users/@me/channels")).BodyAsync();
        Assert.Equal(0, mine.EnumerateArray().Single(e => e.GetProperty("channel").Str("id") == channel).GetProperty("unreadCount").GetInt32());
    }

    [Fact]
    public async Task Presence_is_set_and_read_back()
    {
        var alice = await factory.NewUserAsync();
        var bob = await factory.NewUserAsync();
        var before = await (await bob.Client.GetAsync($"/api/users/{alice.Id}/presence")).BodyAsync();
        Assert.Equal("offline", before.Str("status"));

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsJsonAsync("/api/users/@me/presence", new { status = "dnd" })).StatusCode);
        var after = await (await bob.Client.GetAsync($"/api/users/{alice.Id}/presence")).BodyAsync();
        Assert.Equal(alice.Id.ToString(), after.Str("userId"));
        Assert.Equal("dnd", after.Str("status"));
        Assert.EndsWith("Z", after.Str("lastSeenAt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presence_rejects_an_unknown_status_and_an_unknown_user()
    {
        var alice = await factory.NewUserAsync();
        await (await alice.Client.PutAsJsonAsync("/api/users/@me/presence", new { status = "away" })).AssertValidationAsync("status");
        await (await alice.Client.GetAsync($"/api/users/{Guid.NewGuid()}/presence")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class PresenceExpiryTests : IClassFixture<ClockApiFactory>
{
    private readonly ClockApiFactory _factory;

    public PresenceExpiryTests(ClockApiFactory factory) => _factory = factory;

    [Fact]
    public async Task Presence_is_offline_once_the_heartbeat_TTL_lapses()
    {
        var alice = await _factory.NewUserAsync();
        await alice.Client.PutAsJsonAsync("/api/users/@me/presence", new { status = "online" });
        Assert.Equal("online", (await (await alice.Client.GetAsync($"/api/users/{alice.Id}/presence")).BodyAsync()).Str("status"));

        _factory.Clock.Advance(TimeSpan.FromMinutes(2));

        var body = await (await alice.Client.GetAsync($"/api/users/{alice.Id}/presence")).BodyAsync();
        Assert.Equal("offline", body.Str("status"));
    }
}
