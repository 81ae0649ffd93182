using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;
using WellWon.Testing;

namespace WellWon.Grains.Tests.Grains;

public sealed class ChannelHistoryTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_thousand_concurrent_reads_of_the_same_page_cause_exactly_one_store_query()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.HotWindowSize = 0);
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        for (var i = 0; i < 10; i++)
        {
            await channel.Send(owner, new SendMessageCommand($"m{i}"));
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Stores.Metrics.Reset();
        silo.Stores.Metrics.Interceptor = async (port, operation, ct) =>
        {
            if (operation == nameof(IMessageStore.ReadBucketAsync))
            {
                await gate.Task.WaitAsync(ct);
            }
        };
        var before = silo.Metrics.HistoryRequests;

        // Two readers who have been members since the channel was created see the same history, so they share too.
        var reads = Enumerable.Range(0, 1000).Select(i => channel.GetHistory(i % 2 == 0 ? owner : bob, new HistoryRequest(Limit: 5))).ToArray();
        await Eventually.WaitUntil(() => silo.Metrics.HistoryRequests - before == 1000, s_wait, "all 1000 reads to reach the grain");
        gate.SetResult();
        var pages = await Task.WhenAll(reads);

        Assert.Equal(1, silo.Stores.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync)));
        Assert.Equal(1, silo.Stores.Metrics.Total);
        var expected = pages[0].Select(m => m.Content).ToArray();
        Assert.Equal(["m9", "m8", "m7", "m6", "m5"], expected);
        Assert.All(pages, p => Assert.Equal(expected, p.Select(m => m.Content)));
    }

    [Fact]
    public async Task Without_coalescing_every_concurrent_read_queries_the_store()
    {
        await using var silo = await ChatTestSilo.StartAsync(o =>
        {
            o.HotWindowSize = 0;
            o.CoalesceReads = false;
        });
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        await channel.Send(owner, new SendMessageCommand("hello"));
        silo.Stores.Metrics.Reset();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => channel.GetHistory(owner, new HistoryRequest())));

        Assert.Equal(20, silo.Stores.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync)));
    }

    [Fact]
    public async Task A_recent_page_is_served_from_the_hot_window_without_store_queries()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        for (var i = 0; i < 5; i++)
        {
            await channel.Send(owner, new SendMessageCommand($"m{i}"));
        }

        silo.Stores.Metrics.Reset();
        var page = await channel.GetHistory(owner, new HistoryRequest(Limit: 3));

        Assert.Equal(["m4", "m3", "m2"], page.Select(m => m.Content));
        Assert.Equal(0, silo.Stores.Metrics.Total);
    }

    [Fact]
    public async Task History_across_buckets_with_empty_buckets_between_them_is_complete_and_ordered()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.HotWindowSize = 2);
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var sent = new List<long>();
        var start = silo.Clock.UtcNow;
        foreach (var days in new[] { 0, 1, 35, 36, 80, 200 })
        {
            silo.SetWallClock(start.AddDays(days));
            for (var i = 0; i < 3; i++)
            {
                sent.Add((await channel.Send(owner, new SendMessageCommand($"d{days}-{i}"))).Message.Id);
            }
        }

        var buckets = sent.Select(Buckets.Of).Distinct().ToArray();
        Assert.True(buckets.Length >= 4, "messages span at least four buckets");
        Assert.True(buckets.Max() - buckets.Min() + 1 > buckets.Length, "with empty buckets between them");

        var all = await channel.GetHistory(owner, new HistoryRequest(Limit: 100));
        Assert.Equal(sent.AsEnumerable().Reverse(), all.Select(m => m.Id));

        var paged = new List<long>();
        long? cursor = null;
        while (true)
        {
            var page = await channel.GetHistory(owner, new HistoryRequest(Limit: 4, Before: cursor));
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page.Select(m => m.Id));
            cursor = page[^1].Id;
        }

        Assert.Equal(sent.AsEnumerable().Reverse(), paged);

        var forward = await channel.GetHistory(owner, new HistoryRequest(Limit: 100, After: sent[1]));
        Assert.Equal(sent.Skip(2).Reverse(), forward.Select(m => m.Id));
        var around = await channel.GetHistory(owner, new HistoryRequest(Limit: 4, Around: sent[9]));
        Assert.Equal(new[] { sent[11], sent[10], sent[9], sent[8] }, around.Select(m => m.Id));
    }

    [Fact]
    public async Task A_warm_quiet_channel_reads_a_page_with_one_store_query_and_no_index_query()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.HotWindowSize = 0);
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var start = silo.Clock.UtcNow;
        await channel.Send(owner, new SendMessageCommand("long ago"));
        silo.SetWallClock(start.AddDays(400));
        await channel.Send(owner, new SendMessageCommand("now"));
        silo.Stores.Metrics.Reset();

        var page = await channel.GetHistory(owner, new HistoryRequest(Limit: 1, Before: (await channel.GetHistory(owner, new HistoryRequest(Limit: 1)))[0].Id));

        Assert.Equal("long ago", Assert.Single(page).Content);
        Assert.Equal(0, silo.Stores.Metrics.Count(nameof(IBucketIndex)));
        // One query for the newest page, two for the older one (the rest of the newest bucket, then the old bucket);
        // none of the ~40 empty 10-day buckets in between is visited.
        Assert.Equal(3, silo.Stores.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync)));
    }

    [Fact]
    public async Task A_member_who_leaves_and_rejoins_sees_exactly_the_messages_of_their_windows()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.HotWindowSize = 3);
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Public);
        var start = silo.Clock.UtcNow;
        var step = 0;
        async Task<long> SendAsync(string text)
        {
            silo.SetWallClock(start.AddMinutes(++step));
            return (await channel.Send(owner, new SendMessageCommand(text))).Message.Id;
        }

        await SendAsync("before-join");
        silo.SetWallClock(start.AddMinutes(++step));
        await channel.AddMember(bob, bob);
        var seen1 = await SendAsync("window-1");
        silo.SetWallClock(start.AddMinutes(++step));
        await channel.RemoveMember(bob, bob);
        var away = await SendAsync("while-away");
        silo.SetWallClock(start.AddMinutes(++step));
        await channel.AddMember(bob, bob);
        var seen2 = await SendAsync("window-2");

        var history = await channel.GetHistory(bob, new HistoryRequest());
        Assert.Equal(["window-2", "window-1"], history.Select(m => m.Content));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetMessage(bob, away));
        Assert.Equal("window-1", (await channel.GetMessage(bob, seen1)).Content);
        Assert.Equal(["window-2"], (await channel.GetHistory(bob, new HistoryRequest(After: seen1))).Select(m => m.Content));
        Assert.Equal(2, (await channel.GetReadState(bob)).UnreadCount);
        Assert.Equal(seen2, (await channel.GetSummary(bob))!.LastMessageId);
        Assert.Equal(4, (await channel.GetHistory(owner, new HistoryRequest())).Count);
    }

    [Fact]
    public async Task Snowflake_ids_stay_monotonic_through_the_grain_when_the_clock_steps_back()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var ids = new List<long>();
        var now = silo.Clock.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await channel.Send(owner, new SendMessageCommand($"a{i}"))).Message.Id);
        }

        silo.SetWallClock(now.AddHours(-1));
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await channel.Send(owner, new SendMessageCommand($"b{i}"))).Message.Id);
        }

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var history = await channel.GetHistory(owner, new HistoryRequest());
        Assert.Equal(ids.AsEnumerable().Reverse(), history.Select(m => m.Id));
    }

    [Fact]
    public async Task A_member_who_joins_after_a_clock_step_back_sees_nothing_from_before_joining()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Public);
        await channel.Send(owner, new SendMessageCommand("before"));
        silo.SetWallClock(silo.Clock.UtcNow.AddHours(-1));

        await channel.AddMember(bob, bob);
        await channel.Send(owner, new SendMessageCommand("after"));

        Assert.Equal(["after"], (await channel.GetHistory(bob, new HistoryRequest())).Select(m => m.Content));
    }
}
