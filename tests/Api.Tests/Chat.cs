using System.Net;
using System.Net.Http.Json;

namespace WellWon.Api.Tests;

internal static class Chat
{
    public static async Task<string> CreateChannelAsync(TestUser owner, string type, params Guid[] members)
    {
        var response = await owner.Client.PostAsJsonAsync("/api/channels", new { type, name = "room " + type, memberIds = members.Select(m => m.ToString()).ToArray() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.BodyAsync()).Str("id");
    }

    public static async Task<string> SendAsync(TestUser author, string channel, string content, string? nonce = null)
    {
        var response = await author.Client.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content, nonce });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.BodyAsync()).Str("id");
    }
}
