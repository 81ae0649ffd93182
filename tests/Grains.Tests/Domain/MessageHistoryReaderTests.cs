using WellWon.Grains.Domain;
using WellWon.Grains.Storage;
using WellWon.Grains.Storage.InMemory;

namespace WellWon.Grains.Tests.Domain;

public class MessageHistoryReaderTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly InMemoryMessageStore _store = new();
    private readonly MessageHistoryReader _reader;
    private readonly Guid _channel = Guid.NewGuid();
    private readonly SortedSet<int> _buckets = [];

    private long _rowsRead;

    public MessageHistoryReaderTests() => _reader = new MessageHistoryReader(new RowCounter(_store, this));

    private static long Id(int bucket, long ms) => Snowflake.Create((bucket * Buckets.BucketMilliseconds) + ms, 1, 0);

    private async Task<long[]> SeedAsync(params (int Bucket, int Count)[] layout)
    {
        var ids = new List<long>();
        foreach (var (bucket, count) in layout)
        {
            for (var i = 0; i < count; i++)
            {
                var id = Id(bucket, 1000 + (i * 1000));
                await _store.InsertAsync(new MessageRecord(_channel, id, Guid.NewGuid(), $"m{id}"), None);
                _buckets.Add(bucket);
                ids.Add(id);
            }
        }

        _store.Metrics.Reset();
        return [.. ids.Order()];
    }

    private async Task<long[]> ReadAsync(HistoryQuery query, MembershipWindows? visibility = null) =>
        (await _reader.ReadAsync(_channel, _buckets, query, visibility, None)).Select(m => m.MessageId).ToArray();

    private long Queries => _store.Metrics.Count(nameof(IMessageStore), nameof(IMessageStore.ReadBucketAsync));

    [Fact]
    public async Task A_quiet_channel_costs_one_store_query_per_page()
    {
        var ids = await SeedAsync((700, 5));

        var page = await ReadAsync(new HistoryQuery(50));

        Assert.Equal(ids.Reverse(), page);
        Assert.Equal(1, Queries);
    }

    [Fact]
    public async Task A_page_continues_into_older_non_empty_buckets_and_skips_empty_ones()
    {
        var ids = await SeedAsync((3, 4), (7, 4), (8, 2));

        var page = await ReadAsync(new HistoryQuery(8));

        Assert.Equal(ids.Reverse().Take(8), page);
        Assert.Equal(3, Queries);
    }

    [Fact]
    public async Task Paging_with_before_walks_all_history_once_in_order()
    {
        var ids = await SeedAsync((1, 7), (2, 1), (9, 12), (10, 3));
        var seen = new List<long>();
        long? before = null;
        while (true)
        {
            var page = await ReadAsync(new HistoryQuery(5, Before: before));
            if (page.Length == 0)
            {
                break;
            }

            seen.AddRange(page);
            before = page[^1];
        }

        Assert.Equal(ids.Reverse(), seen);
    }

    [Fact]
    public async Task After_gives_the_messages_immediately_after_newest_first()
    {
        var ids = await SeedAsync((3, 4), (7, 4));

        var page = await ReadAsync(new HistoryQuery(3, After: ids[2]));

        Assert.Equal([ids[5], ids[4], ids[3]], page);
    }

    [Fact]
    public async Task Before_and_after_together_bound_the_page_on_both_sides()
    {
        var ids = await SeedAsync((3, 4), (7, 4));

        var page = await ReadAsync(new HistoryQuery(50, Before: ids[6], After: ids[1]));

        Assert.Equal([ids[5], ids[4], ids[3], ids[2]], page);
    }

    [Fact]
    public async Task Around_centres_the_page_on_the_message()
    {
        var ids = await SeedAsync((3, 5), (4, 5));

        var page = await ReadAsync(new HistoryQuery(5, Around: ids[5]));

        Assert.Equal([ids[7], ids[6], ids[5], ids[4], ids[3]], page);
    }

    [Fact]
    public async Task A_member_sees_only_their_windows_and_buckets_outside_them_are_not_read()
    {
        var ids = await SeedAsync((3, 4), (7, 4), (8, 4));

        // Joined during bucket 7 (before its third message), left during bucket 8, rejoined later in bucket 8.
        var windows = MembershipWindows.None
            .Join(Snowflake.GetCreatedAt(ids[6]))
            .Leave(Snowflake.GetCreatedAt(ids[9]))
            .Join(Snowflake.GetCreatedAt(ids[11]));

        var page = await ReadAsync(new HistoryQuery(50), windows);

        Assert.Equal([ids[11], ids[8], ids[7], ids[6]], page);

        // One query per window slice: two in bucket 8, one in bucket 7; bucket 3 lies wholly before the first window.
        Assert.Equal(3, Queries);
        Assert.Equal(4, _rowsRead);
    }

    [Fact]
    public async Task After_and_around_also_honour_the_windows()
    {
        var ids = await SeedAsync((3, 6));
        var windows = MembershipWindows.None
            .Join(Snowflake.GetCreatedAt(ids[1]))
            .Leave(Snowflake.GetCreatedAt(ids[3]))
            .Join(Snowflake.GetCreatedAt(ids[5]));

        Assert.Equal([ids[5], ids[2], ids[1]], await ReadAsync(new HistoryQuery(10, After: ids[0]), windows));
        Assert.Equal([ids[5], ids[2], ids[1]], await ReadAsync(new HistoryQuery(10, Around: ids[3]), windows));
    }

    [Fact]
    public async Task Someone_with_no_windows_reads_nothing_and_costs_nothing()
    {
        await SeedAsync((3, 6));

        Assert.Empty(await ReadAsync(new HistoryQuery(10), MembershipWindows.None));
        Assert.Equal(0, Queries);
    }

    [Fact]
    public async Task An_empty_channel_reads_an_empty_page_without_queries()
    {
        Assert.Empty(await ReadAsync(new HistoryQuery(10)));
        Assert.Equal(0, Queries);
    }

    [Fact]
    public async Task A_page_below_an_absence_jumps_over_it_without_reading_the_hidden_messages()
    {
        var ids = await SeedAsync((3, 20));
        var windows = MembershipWindows.None
            .Join(Snowflake.GetCreatedAt(ids[0]))
            .Leave(Snowflake.GetCreatedAt(ids[2]))
            .Join(Snowflake.GetCreatedAt(ids[17]));
        Assert.Equal([ids[19], ids[18], ids[17]], await ReadAsync(new HistoryQuery(3), windows));
        _store.Metrics.Reset();

        _rowsRead = 0;

        var older = await ReadAsync(new HistoryQuery(3, Before: ids[17]), windows);

        // The fourteen hidden messages in between are never fetched.
        Assert.Equal([ids[1], ids[0]], older);
        Assert.Equal(2, _rowsRead);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Paging_backwards_and_forwards_matches_filtering_everything_by_hand(int seed)
    {
        var random = new Random(seed);
        var ids = await SeedAsync(Enumerable.Range(0, 6).Select(b => (b * 3, random.Next(0, 15))).ToArray());
        var all = ids.Select(Snowflake.GetCreatedAt).ToArray();
        var windows = MembershipWindows.None;
        var t = Snowflake.Epoch;
        for (var i = 0; i < 4; i++)
        {
            t = t.AddDays(random.Next(0, 20)).AddMilliseconds(random.Next(0, 5000));
            windows = windows.Join(t);
            t = t.AddDays(random.Next(0, 20)).AddMilliseconds(random.Next(0, 5000));
            windows = windows.Leave(t);
        }

        windows = windows.Join(t.AddDays(random.Next(0, 10)));
        var expected = ids.Where(windows.CanSee).ToArray();
        var limit = random.Next(1, 7);

        var backwards = new List<long>();
        for (long? before = null; ;)
        {
            var page = await ReadAsync(new HistoryQuery(limit, Before: before), windows);
            if (page.Length == 0)
            {
                break;
            }

            Assert.True(page.Length <= limit);
            backwards.AddRange(page);
            before = page[^1];
        }

        var forwards = new List<long>();
        for (long after = 0; ;)
        {
            var page = await ReadAsync(new HistoryQuery(limit, After: after), windows);
            if (page.Length == 0)
            {
                break;
            }

            forwards.AddRange(page.Reverse());
            after = page[0];
        }

        Assert.NotEmpty(all);
        Assert.Equal(expected.Reverse(), backwards);
        Assert.Equal(expected, forwards);
    }

    [Fact]
    public async Task Around_cannot_be_combined_with_before_or_after()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ReadAsync(new HistoryQuery(10, Before: 5, Around: 3)));
    }

    /// <summary>Counts the rows the reader fetches, to prove hidden ones are never read.</summary>
    private sealed class RowCounter(IMessageStore inner, MessageHistoryReaderTests owner) : IMessageStore
    {
        public Task InsertAsync(MessageRecord message, CancellationToken cancellationToken) => inner.InsertAsync(message, cancellationToken);

        public Task<MessageRecord?> GetAsync(Guid channelId, long messageId, CancellationToken cancellationToken) =>
            inner.GetAsync(channelId, messageId, cancellationToken);

        public async Task<IReadOnlyList<MessageRecord>> ReadBucketAsync(
            Guid channelId, int bucket, long? before, long? after, int limit, PageOrder order, CancellationToken cancellationToken)
        {
            var page = await inner.ReadBucketAsync(channelId, bucket, before, after, limit, order, cancellationToken);
            owner._rowsRead += page.Count;
            return page;
        }

        public Task<bool> UpdateContentAsync(Guid channelId, long messageId, string content, DateTimeOffset editedAt, CancellationToken cancellationToken) =>
            inner.UpdateContentAsync(channelId, messageId, content, editedAt, cancellationToken);

        public Task<bool> SoftDeleteAsync(Guid channelId, long messageId, string placeholderContent, CancellationToken cancellationToken) =>
            inner.SoftDeleteAsync(channelId, messageId, placeholderContent, cancellationToken);

        public Task<long?> FindByNonceAsync(Guid channelId, Guid authorId, string nonce, CancellationToken cancellationToken) =>
            inner.FindByNonceAsync(channelId, authorId, nonce, cancellationToken);
    }
}
