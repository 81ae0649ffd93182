using System.Net;
using System.Net.Http.Json;

namespace WellWon.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ErrorTests(ApiFactory factory)
{
    [Fact]
    public async Task Malformed_json_is_400_problem()
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var response = await user.Client.PostAsync($"/api/channels/{channel}/messages", Json.Raw("{\"content\": \"hi\""));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Wrong_json_types_are_400_not_500()
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var response = await user.Client.PostAsync($"/api/channels/{channel}/messages", Json.Raw("{\"content\": 123}"));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.content", problem.Str("detail"), StringComparison.Ordinal);

        var array = await user.Client.PostAsync("/api/channels", Json.Raw("[1,2,3]"));
        await array.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_missing_body_is_400()
    {
        var user = await factory.NewUserAsync();
        var response = await user.Client.PostAsync("/api/channels", Json.Raw(""));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_wrong_content_type_is_415()
    {
        var user = await factory.NewUserAsync();
        var response = await user.Client.PostAsync("/api/channels", Json.Raw("type=group&name=x", "application/x-www-form-urlencoded"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        using var anonymous = factory.Anonymous();
        var text = await anonymous.PostAsync("/api/auth/login", Json.Raw("{}", "text/plain"));
        await text.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413()
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var big = "{\"content\":\"" + new string('x', 70 * 1024) + "\"}";
        var response = await user.Client.PostAsync($"/api/channels/{channel}/messages", Json.Raw(big));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_413()
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var big = "{\"content\":\"" + new string('x', 70 * 1024) + "\"}";
        var content = new StreamContent(new NoLengthStream(System.Text.Encoding.UTF8.GetBytes(big)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/channels/{channel}/messages") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await user.Client.SendAsync(request);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem()
    {
        using var client = factory.Anonymous();
        var response = await client.GetAsync("/api/nothing/here");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/channels/not-a-uuid", "channelId")]
    [InlineData("/api/channels/00000000-0000-0000-0000-000000000000", "channelId")]
    [InlineData("/api/channels/{channel}/messages/abc", "messageId")]
    [InlineData("/api/channels/{channel}/messages/0123", "messageId")]
    [InlineData("/api/channels/{channel}/messages/-5", "messageId")]
    [InlineData("/api/channels/{channel}/messages/99999999999999999999", "messageId")]
    [InlineData("/api/users/xyz", "userId")]
    [InlineData("/api/channels/{channel}/messages?limit=0", "limit")]
    [InlineData("/api/channels/{channel}/messages?limit=101", "limit")]
    [InlineData("/api/channels/{channel}/messages?limit=ten", "limit")]
    [InlineData("/api/channels/{channel}/messages?before=1&after=2", "before")]
    [InlineData("/api/channels/{channel}/messages?around=x", "around")]
    [InlineData("/api/channels/{channel}/messages/123/reactions", null)]
    public async Task Malformed_ids_and_queries_are_400(string path, string? field)
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var response = await user.Client.GetAsync(path.Replace("{channel}", channel, StringComparison.Ordinal));
        if (field is null)
        {
            // A well-formed but unknown message is 404, never 400 or 500.
            await response.AssertProblemAsync(HttpStatusCode.NotFound);
            return;
        }

        await response.AssertValidationAsync(field);
    }

    [Theory]
    [InlineData("a%20b")]
    [InlineData("%07")]
    [InlineData("a%2Fb")]
    [InlineData("this-emoji-name-is-far-too-long-to-be-an-emoji-name-of-any-real-kind-at-all")]
    public async Task A_malformed_emoji_is_400(string emoji)
    {
        var user = await factory.NewUserAsync();
        var channel = await Chat.CreateChannelAsync(user, "group");
        var message = await Chat.SendAsync(user, channel, "hello");
        var response = await user.Client.PutAsync($"/api/channels/{channel}/messages/{message}/reactions/{emoji}", null);
        await response.AssertValidationAsync("emoji");
    }

    [Fact]
    public async Task An_unknown_channel_is_404()
    {
        var user = await factory.NewUserAsync();
        var response = await user.Client.GetAsync($"/api/channels/{Guid.NewGuid()}");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Validation_failures_carry_an_errors_map_for_every_field()
    {
        var user = await factory.NewUserAsync();
        var response = await user.Client.PostAsJsonAsync("/api/channels", new { type = "direct", name = "", memberIds = new[] { "nope" } });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("type", out _));
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("memberIds[0]", out _));
    }

    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
