using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WellWon.WebClient.Tests;

[Collection(WebClientCollection.Name)]
public sealed class WebClientTests(WebClientHost host)
{
    [Fact]
    public async Task The_page_loads_with_a_strict_policy_no_console_errors_and_no_request_to_another_origin()
    {
        await using var alice = await ChatUser.OpenAsync(host, "Alice");
        await ChatUser.ScreenshotsOnFailureAsync([alice], async () =>
        {
            var response = await alice.RegisterAsync();
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            var headers = await response.AllHeadersAsync();
            Assert.Contains("default-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Contains("script-src 'self';", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Equal("no-cache", headers["cache-control"]);

            // Use the page a little: a channel, a message, a reaction.
            await alice.CreateChannelAsync("general");
            await alice.SendAsync("first post");
            await Expect(alice.MessageContents).ToHaveTextAsync(["first post"]);
            var message = alice.Page.Locator("[data-testid=message-list] [data-testid=message]").First;
            await message.HoverAsync();
            await message.GetByTestId("react-button").ClickAsync();
            await alice.Page.GetByTestId("emoji-picker").Locator("button").First.ClickAsync();
            await Expect(message.GetByTestId("reaction")).ToHaveTextAsync("👍 1");
            await Expect(message.GetByTestId("reaction")).ToHaveAttributeAsync("aria-pressed", "true");

            Assert.Empty(alice.ConsoleErrors);
            var origin = alice.Link.Address.GetLeftPart(UriPartial.Authority);
            var foreign = alice.Requests.Select(r => r.Url)
                .Where(url => !new Uri(url).Authority.Equals(alice.Link.Address.Authority, StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal))
                .ToList();
            Assert.True(foreign.Count == 0, $"requests to origins other than {origin}: {string.Join(", ", foreign)}");
            Assert.Contains(alice.Requests, r => r.Url.EndsWith("/app.js", StringComparison.Ordinal));
            Assert.Contains(alice.FramesSent, f => f.IsOp("identify"));
        });
    }

    [Fact]
    public async Task Two_people_chat_live_see_each_other_type_and_a_dropped_connection_catches_up_by_resuming()
    {
        await using var alice = await ChatUser.OpenAsync(host, "Alice");
        await using var bob = await ChatUser.OpenAsync(host, "Bob");
        await ChatUser.ScreenshotsOnFailureAsync([alice, bob], async () =>
        {
            await alice.RegisterAsync();
            await bob.RegisterAsync();

            // Alice finds Bob by username; the new direct channel shows up on Bob's side by itself (MEMBER_ADD).
            var channel = await alice.OpenDirectChannelAsync(bob);
            var item = bob.ChannelItem(channel);
            await Expect(item.GetByTestId("channel-name")).ToHaveTextAsync(alice.DisplayName);
            await item.ClickAsync();
            await Expect(bob.Page.GetByTestId("channel-title")).ToHaveTextAsync(alice.DisplayName);

            // Each sees the other typing until the message arrives, live. (Bob types first: the server announces a
            // user's typing at most every 5 s, even across a message in between; see docs/web-client.md.)
            await bob.TypeAsync("Hi Alice");
            await Expect(alice.Typing).ToHaveTextAsync($"{bob.DisplayName} is typing…");
            await bob.Page.GetByTestId("send-button").ClickAsync();
            await Expect(alice.MessageContents).ToHaveTextAsync(["Hi Alice"]);
            await Expect(alice.Typing).ToBeEmptyAsync();

            await alice.TypeAsync("Hello Bob");
            await Expect(bob.Typing).ToHaveTextAsync($"{alice.DisplayName} is typing…");
            await alice.Page.GetByTestId("send-button").ClickAsync();
            await Expect(bob.MessageContents).ToHaveTextAsync(["Hi Alice", "Hello Bob"]);
            await Expect(bob.Typing).ToBeEmptyAsync();
            await Expect(alice.MessageContents).ToHaveTextAsync(["Hi Alice", "Hello Bob"]);

            // Bob's network drops: his gateway connection dies and his client notices.
            bob.Link.Cut();
            await Expect(bob.Connection).ToHaveAttributeAsync("data-state", "reconnecting");

            // A send while offline fails visibly and can be retried; nothing reaches Alice yet.
            await bob.SendAsync("Sent while offline");
            var pending = bob.Page.GetByTestId("message-pending");
            await Expect(pending.GetByTestId("retry-button")).ToBeVisibleAsync();

            string[] missed = ["Missed one", "Missed two", "Missed three"];
            foreach (var text in missed)
            {
                await alice.SendAsync(text);
            }

            await Expect(alice.MessageContents).ToHaveTextAsync(["Hi Alice", "Hello Bob", .. missed]);
            var resumesBefore = bob.FramesSent.Count(f => f.IsOp("resume"));
            var requestsBefore = bob.Requests.Count;

            // The network returns: Bob resumes his session and gets what he missed, in order, without a reload.
            bob.Link.Restore();
            await Expect(bob.Connection).ToHaveAttributeAsync("data-state", "connected");
            await Expect(bob.MessageContents).ToHaveTextAsync(["Hi Alice", "Hello Bob", .. missed, "Sent while offline"]);
            await Expect(alice.MessageContents).ToHaveTextAsync(["Hi Alice", "Hello Bob", .. missed, "Sent while offline"]);
            await Expect(pending).ToHaveCountAsync(0);

            Assert.True(bob.FramesSent.Count(f => f.IsOp("resume")) > resumesBefore, "Bob's client never sent resume: " + string.Join(" | ", bob.FramesSent.Select(f => f.Text)));
            Assert.Contains(bob.FramesReceived, f => IsReady(f.Text, resumed: true));
            var rereads = bob.Requests.Skip(requestsBefore)
                .Where(r => r.Method == "GET" && r.Url.Contains($"/api/channels/{channel}/messages?", StringComparison.Ordinal))
                .Select(r => r.Url)
                .ToList();
            Assert.True(rereads.Count == 0, "the missed messages came from re-reading history, not from the resume: " + string.Join(", ", rereads));
            Assert.Equal(1, await bob.Page.GetByTestId("message-list").Locator("[data-testid=message]").Filter(new() { HasText = "Sent while offline" }).CountAsync());
        });
    }

    [Fact]
    public async Task Older_history_loads_on_scrolling_up_edits_deletes_and_reactions_show_live_and_a_public_channel_is_joined_by_ID()
    {
        await using var alice = await ChatUser.OpenAsync(host, "Alice");
        await using var bob = await ChatUser.OpenAsync(host, "Bob");
        await ChatUser.ScreenshotsOnFailureAsync([alice, bob], async () =>
        {
            await alice.RegisterAsync();
            await bob.RegisterAsync();
            var channel = await alice.OpenDirectChannelAsync(bob);
            await alice.SendAsync("first");
            await Expect(alice.MessageContents).ToHaveTextAsync(["first"]);

            // More than two pages, sent through the API with Alice's token so the test stays quick.
            var token = await alice.Page.EvaluateAsync<string>("() => localStorage.getItem('wellwon.token')");
            using var api = new HttpClient { BaseAddress = alice.Link.Address };
            api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var seeded = Enumerable.Range(0, 110).Select(i => $"m{i}").ToList();
            foreach (var text in seeded)
            {
                using var sent = await api.PostAsJsonAsync($"/api/channels/{channel}/messages", new { content = text });
                sent.EnsureSuccessStatusCode();
            }

            var item = bob.ChannelItem(channel);
            await Expect(item.GetByTestId("unread-badge")).ToHaveTextAsync("99+");
            await item.ClickAsync();
            await Expect(bob.MessageContents.Last).ToHaveTextAsync("m109");
            await Expect(item.GetByTestId("unread-badge")).ToHaveCountAsync(0);
            Assert.True(await bob.MessageContents.CountAsync() < 111, "the whole history loaded at once");

            // Scrolling to the top loads the previous page each time, until the beginning.
            for (var page = 0; page < 5 && await bob.MessageContents.First.TextContentAsync() != "first"; page++)
            {
                var before = await bob.MessageContents.CountAsync();
                await bob.Page.GetByTestId("message-list").Locator("[data-testid=message]").First.ScrollIntoViewIfNeededAsync();
                await Expect(bob.MessageContents).Not.ToHaveCountAsync(before);
            }

            await Expect(bob.MessageContents).ToHaveTextAsync(["first", .. seeded]);
            await Expect(bob.Page.GetByTestId("history-status")).ToHaveTextAsync("This is the beginning of the conversation.");

            // Alice edits and deletes her newest message; Bob sees both live.
            var newest = alice.Page.Locator("[data-testid=message-list] [data-testid=message]").Last;
            await Expect(newest.GetByTestId("message-content")).ToHaveTextAsync("m109");
            await newest.HoverAsync();
            await newest.GetByTestId("edit-button").ClickAsync();
            await newest.GetByTestId("edit-input").FillAsync("m109, edited");
            await newest.GetByTestId("edit-save").ClickAsync();
            await Expect(newest.GetByTestId("message-content")).ToHaveTextAsync("m109, edited");
            var bobsNewest = bob.Page.Locator("[data-testid=message-list] [data-testid=message]").Last;
            await Expect(bobsNewest.GetByTestId("message-content")).ToHaveTextAsync("m109, edited");
            await Expect(bobsNewest.GetByTestId("message-edited")).ToBeVisibleAsync();

            await newest.HoverAsync();
            await newest.GetByTestId("delete-button").ClickAsync();
            await newest.GetByTestId("delete-button").ClickAsync();
            await Expect(newest.GetByTestId("message-content")).ToHaveTextAsync("This message was deleted.");
            await Expect(bobsNewest.GetByTestId("message-content")).ToHaveTextAsync("This message was deleted.");
            await Expect(bobsNewest.GetByTestId("edit-button")).ToBeHiddenAsync();

            // Bob reacts to Alice's previous message: highlighted for him, counted for her.
            var bobsTarget = bob.Page.Locator("[data-testid=message-list] [data-testid=message]").Nth(-2);
            await bobsTarget.HoverAsync();
            await bobsTarget.GetByTestId("react-button").ClickAsync();
            await bob.Page.GetByTestId("emoji-picker").Locator("button[data-emoji='🎉']").ClickAsync();
            await Expect(bobsTarget.GetByTestId("reaction")).ToHaveTextAsync("🎉 1");
            await Expect(bobsTarget.GetByTestId("reaction")).ToHaveAttributeAsync("aria-pressed", "true");
            var alicesTarget = alice.Page.Locator("[data-testid=message-list] [data-testid=message]").Nth(-2);
            await Expect(alicesTarget.GetByTestId("reaction")).ToHaveTextAsync("🎉 1");
            await Expect(alicesTarget.GetByTestId("reaction")).ToHaveAttributeAsync("aria-pressed", "false");

            // A public channel: Alice creates it, Bob joins with its ID, and they talk there.
            var lobby = await alice.CreateChannelAsync("lobby", "public");
            await bob.JoinChannelAsync(lobby);
            await Expect(bob.Page.GetByTestId("channel-title")).ToHaveTextAsync("lobby");
            await Expect(bob.ChannelItem(lobby)).ToBeVisibleAsync();
            await bob.SendAsync("joined the lobby");
            await Expect(alice.MessageContents).ToHaveTextAsync(["joined the lobby"]);
        });
    }

    private static bool IsReady(string frame, bool resumed)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        return root.TryGetProperty("op", out var op) && op.GetString() == "ready"
            && root.TryGetProperty("resumed", out var value) && value.ValueKind == (resumed ? JsonValueKind.True : JsonValueKind.False);
    }
}
