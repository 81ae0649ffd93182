using static Microsoft.Playwright.Assertions;

namespace WellWon.WebClient.Tests;

[Collection(SmallReplayCollection.Name)]
public sealed class InvalidSessionTests(SmallReplayWebClientHost host)
{
    [Fact]
    public async Task A_client_too_far_behind_to_resume_identifies_on_the_same_socket_and_rereads_history()
    {
        await using var alice = await ChatUser.OpenAsync(host, "Alice");
        await using var bob = await ChatUser.OpenAsync(host, "Bob");
        await ChatUser.ScreenshotsOnFailureAsync([alice, bob], async () =>
        {
            await alice.RegisterAsync();
            await bob.RegisterAsync();
            var channel = await alice.OpenDirectChannelAsync(bob);
            var item = bob.ChannelItem(channel);
            await item.ClickAsync();
            await Expect(bob.Page.GetByTestId("channel-title")).ToHaveTextAsync(alice.DisplayName);
            await alice.SendAsync("before");
            await Expect(bob.MessageContents).ToHaveTextAsync(["before"]);

            bob.Link.Cut();
            await Expect(bob.Connection).ToHaveAttributeAsync("data-state", "reconnecting");
            // More than the session's replay buffer (8) holds.
            var gap = Enumerable.Range(0, 10).Select(i => $"gap {i}").ToArray();
            foreach (var text in gap)
            {
                await alice.SendAsync(text);
            }

            await Expect(alice.MessageContents).ToHaveTextAsync(["before", .. gap]);
            var requestsBefore = bob.Requests.Count;

            bob.Link.Restore();
            await Expect(bob.Connection).ToHaveAttributeAsync("data-state", "connected");
            await Expect(bob.MessageContents).ToHaveTextAsync(["before", .. gap]);

            // The socket that carried the refused resume carried the new identify too.
            var resumed = bob.FramesSent.Where(f => f.IsOp("resume")).Select(f => f.Socket).ToHashSet();
            var refused = bob.FramesReceived.Where(f => f.IsOp("invalid_session") && resumed.Contains(f.Socket)).Select(f => f.Socket).ToList();
            Assert.True(refused.Count > 0, "no resume was refused: " + string.Join(" | ", bob.FramesReceived.Select(f => $"{f.Socket}: {f.Text}")));
            var socket = refused[^1];
            var sent = bob.FramesSent.Where(f => f.Socket == socket).Select(f => f.Text).ToList();
            Assert.True(
                sent.Count >= 2 && sent[0].Contains("\"op\":\"resume\"", StringComparison.Ordinal) && sent[1].Contains("\"op\":\"identify\"", StringComparison.Ordinal),
                "expected resume then identify on one socket, got: " + string.Join(" | ", sent));
            Assert.Contains(bob.FramesReceived, f => f.Socket == socket && f.IsOp("ready"));
            Assert.Contains(
                bob.Requests.Skip(requestsBefore),
                r => r.Method == "GET" && r.Url.Contains($"/api/channels/{channel}/messages?", StringComparison.Ordinal));
        });
    }
}
