using WellWon.Grains.Interfaces;

namespace WellWon.Grains.Tests.Grains;

public sealed class ChannelMessageTests
{
    [Fact]
    public async Task Concurrent_duplicate_nonces_produce_one_message()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => channel.Send(owner, new SendMessageCommand("once", Nonce: "n-1"))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Message.Id).Distinct());
        Assert.Single(await channel.GetHistory(owner, new HistoryRequest()));
        var again = await channel.Send(owner, new SendMessageCommand("different text", Nonce: "n-1"));
        Assert.False(again.Created);
        Assert.Equal("once", again.Message.Content);
    }

    [Fact]
    public async Task The_same_nonce_from_another_author_is_another_message()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);

        var first = await channel.Send(owner, new SendMessageCommand("a", Nonce: "same"));
        var second = await channel.Send(bob, new SendMessageCommand("b", Nonce: "same"));

        Assert.True(first.Created && second.Created);
        Assert.NotEqual(first.Message.Id, second.Message.Id);
    }

    [Fact]
    public async Task Invalid_input_fails_with_field_errors_that_survive_the_grain_boundary()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);

        var blank = await Assert.ThrowsAsync<ChatValidationException>(() => channel.Send(owner, new SendMessageCommand("   ", Nonce: "has space")));
        Assert.Contains("content", blank.Errors.Keys);
        Assert.Contains("nonce", blank.Errors.Keys);

        var limit = await Assert.ThrowsAsync<ChatValidationException>(() => channel.GetHistory(owner, new HistoryRequest(Limit: 101)));
        Assert.Contains("limit", limit.Errors.Keys);
        var bounds = await Assert.ThrowsAsync<ChatValidationException>(() => channel.GetHistory(owner, new HistoryRequest(Before: 5, After: 1)));
        Assert.Single(bounds.Errors);

        var rebuilt = new ChatValidationException(blank.Message);
        Assert.Equal(blank.Errors.OrderBy(e => e.Key), rebuilt.Errors.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Content_is_stored_trimmed_and_a_reply_must_point_at_a_visible_message()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var first = await channel.Send(owner, new SendMessageCommand("  hi  "));

        var reply = await channel.Send(owner, new SendMessageCommand("re", ReplyToId: first.Message.Id));

        Assert.Equal("hi", first.Message.Content);
        Assert.Equal(first.Message.Id, reply.Message.ReplyToId);
        var bad = await Assert.ThrowsAsync<ChatValidationException>(() => channel.Send(owner, new SendMessageCommand("re", ReplyToId: 12345)));
        Assert.Contains("replyToId", bad.Errors.Keys);
    }

    [Fact]
    public async Task Edit_by_a_non_author_is_forbidden_and_by_the_author_sets_edited_at()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        var sent = (await channel.Send(bob, new SendMessageCommand("typo"))).Message;

        await Assert.ThrowsAsync<ChatForbiddenException>(() => channel.Edit(owner, sent.Id, "owner rewrite"));
        silo.SetWallClock(silo.Clock.UtcNow.AddMinutes(1));
        var edited = await channel.Edit(bob, sent.Id, "fixed");

        Assert.Equal("fixed", edited.Content);
        Assert.Equal(silo.Clock.UtcNow, edited.EditedAt);
        Assert.Equal("fixed", (await channel.GetMessage(owner, sent.Id)).Content);
        Assert.Null(sent.EditedAt);
    }

    [Fact]
    public async Task Delete_by_the_owner_is_allowed_and_keeps_the_place_with_a_placeholder()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var carol = await silo.UserAsync("carol");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob, carol);
        var a = (await channel.Send(bob, new SendMessageCommand("a"))).Message;
        var b = (await channel.Send(bob, new SendMessageCommand("secret"))).Message;
        var c = (await channel.Send(bob, new SendMessageCommand("c"))).Message;

        await Assert.ThrowsAsync<ChatForbiddenException>(() => channel.Delete(carol, b.Id));
        await channel.Delete(owner, b.Id);
        await channel.Delete(owner, b.Id);

        var history = await channel.GetHistory(carol, new HistoryRequest());
        Assert.Equal(new[] { c.Id, b.Id, a.Id }, history.Select(m => m.Id));
        var deleted = history[1];
        Assert.True(deleted.Deleted);
        Assert.NotEqual("secret", deleted.Content);
        Assert.False(string.IsNullOrWhiteSpace(deleted.Content));
        await Assert.ThrowsAsync<ChatConflictException>(() => channel.Edit(bob, b.Id, "undo"));
        var own = (await channel.Send(carol, new SendMessageCommand("mine"))).Message;
        await channel.Delete(carol, own.Id);
        Assert.True((await channel.GetMessage(owner, own.Id)).Deleted);
    }

    [Fact]
    public async Task Reactions_are_idempotent_and_counted_with_me()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        var message = (await channel.Send(owner, new SendMessageCommand("react to me"))).Message;

        await channel.AddReaction(owner, message.Id, "👍");
        await channel.AddReaction(owner, message.Id, "👍");
        await channel.AddReaction(bob, message.Id, "👍");
        await channel.AddReaction(bob, message.Id, "🎉");
        await channel.RemoveReaction(bob, message.Id, "🎉");
        await channel.RemoveReaction(bob, message.Id, "🎉");
        await channel.AddReaction(bob, message.Id, "❤");

        var asOwner = await channel.GetReactions(owner, message.Id);
        var asBob = await channel.GetReactions(bob, message.Id);
        Assert.Equal([new ReactionView("❤", 1, false), new ReactionView("👍", 2, true)], asOwner);
        Assert.Equal([new ReactionView("❤", 1, true), new ReactionView("👍", 2, true)], asBob);
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.AddReaction(owner, message.Id + 1, "👍"));
        await Assert.ThrowsAsync<ChatValidationException>(() => channel.AddReaction(owner, message.Id, " "));
    }

    [Fact]
    public async Task Pins_are_listed_newest_pin_first_and_pinning_twice_keeps_the_first_pin()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var first = (await channel.Send(owner, new SendMessageCommand("first"))).Message;
        var second = (await channel.Send(owner, new SendMessageCommand("second"))).Message;
        var start = silo.Clock.UtcNow;

        silo.SetWallClock(start.AddMinutes(1));
        await channel.Pin(owner, second.Id);
        silo.SetWallClock(start.AddMinutes(2));
        await channel.Pin(owner, first.Id);
        silo.SetWallClock(start.AddMinutes(3));
        await channel.Pin(owner, second.Id);

        var pins = await channel.GetPins(owner);
        Assert.Equal(new[] { first.Id, second.Id }, pins.Select(p => p.Message.Id));
        Assert.Equal(start.AddMinutes(1), pins[1].PinnedAt);

        await channel.Unpin(owner, first.Id);
        await channel.Unpin(owner, first.Id);
        Assert.Equal(new[] { second.Id }, (await channel.GetPins(owner)).Select(p => p.Message.Id));
    }

    [Fact]
    public async Task Read_positions_only_move_forward_sending_moves_the_senders_and_unread_excludes_own_messages()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.HotWindowSize = 2);
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await channel.Send(owner, new SendMessageCommand($"o{i}"))).Message.Id);
        }

        Assert.Equal(new ReadStateView(ids[^1], 0), await channel.GetReadState(owner));
        Assert.Equal(new ReadStateView(null, 5), await channel.GetReadState(bob));

        Assert.Equal(new ReadStateView(ids[2], 2), await channel.MarkRead(bob, ids[2]));
        Assert.Equal(new ReadStateView(ids[2], 2), await channel.MarkRead(bob, ids[0]));

        var own = (await channel.Send(bob, new SendMessageCommand("mine"))).Message.Id;
        Assert.Equal(new ReadStateView(own, 0), await channel.GetReadState(bob));
        await channel.Send(owner, new SendMessageCommand("new"));
        await channel.Delete(owner, ids[4]);
        Assert.Equal(1, (await channel.GetReadState(bob)).UnreadCount);
        Assert.Equal(1, (await channel.GetSummary(bob))!.UnreadCount);
    }

    [Fact]
    public async Task Unread_counts_beyond_the_hot_window_are_read_from_the_store_and_saturate_at_the_limit()
    {
        await using var silo = await ChatTestSilo.StartAsync(o =>
        {
            o.HotWindowSize = 3;
            o.UnreadCountLimit = 150;
        });
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        for (var i = 0; i < 120; i++)
        {
            await channel.Send(owner, new SendMessageCommand($"m{i}"));
        }

        Assert.Equal(120, (await channel.GetReadState(bob)).UnreadCount);
        for (var i = 0; i < 60; i++)
        {
            await channel.Send(owner, new SendMessageCommand($"n{i}"));
        }

        Assert.Equal(150, (await channel.GetReadState(bob)).UnreadCount);
    }
}
