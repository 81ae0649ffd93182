using WellWon.Grains.Domain;
using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>
/// What every <see cref="IMessageStore"/> must do. Each case uses fresh channel IDs, so implementations backed by a
/// shared database need no cleanup between cases.
/// </summary>
public abstract class MessageStoreContract<TStore>
    where TStore : IMessageStore
{
    protected const int Bucket = 40;
    protected static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>An ID <paramref name="ms"/> milliseconds into <see cref="Bucket"/> (or another bucket).</summary>
    protected static long Id(long ms, int sequence = 0, int bucket = Bucket) =>
        Snowflake.Create((bucket * Buckets.BucketMilliseconds) + ms, 1, sequence);

    private static MessageRecord Message(Guid channel, long id, string? nonce = null, Guid? author = null) =>
        new(channel, id, author ?? Guid.NewGuid(), $"message {id}", Nonce: nonce);

    private static async Task<(TStore Store, Guid Channel, long[] Ids)> SeedAsync(TStore store, int count)
    {
        var channel = Guid.NewGuid();
        var ids = Enumerable.Range(1, count).Select(i => Id(i * 10)).ToArray();

        // Out of order on purpose: the store orders, not the insertion.
        foreach (var id in ids.Reverse())
        {
            await store.InsertAsync(Message(channel, id), None);
        }

        return (store, channel, ids);
    }

    [Fact]
    public async Task An_inserted_message_reads_back_equal()
    {
        var store = await CreateStoreAsync();
        var message = new MessageRecord(Guid.NewGuid(), Id(5), Guid.NewGuid(), "hello", null, false, Id(1), "n-1");

        await store.InsertAsync(message, None);

        Assert.Equal(message, await store.GetAsync(message.ChannelId, message.MessageId, None));
    }

    [Fact]
    public async Task An_unknown_message_or_another_channels_message_reads_as_null()
    {
        var store = await CreateStoreAsync();
        var message = Message(Guid.NewGuid(), Id(5));
        await store.InsertAsync(message, None);

        Assert.Null(await store.GetAsync(message.ChannelId, Id(6), None));
        Assert.Null(await store.GetAsync(Guid.NewGuid(), message.MessageId, None));
    }

    [Fact]
    public async Task A_bucket_reads_newest_first_up_to_the_limit()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 10);

        var page = await store.ReadBucketAsync(channel, Bucket, null, null, 4, PageOrder.NewestFirst, None);

        Assert.Equal(ids.Reverse().Take(4), page.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Before_and_after_bounds_are_exclusive()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 10);

        var page = await store.ReadBucketAsync(channel, Bucket, before: ids[7], after: ids[2], 100, PageOrder.NewestFirst, None);

        Assert.Equal([ids[6], ids[5], ids[4], ids[3]], page.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Bounds_between_ids_work_like_any_other_bound()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 5);

        var page = await store.ReadBucketAsync(channel, Bucket, before: ids[3] - 1, after: ids[0] + 1, 100, PageOrder.NewestFirst, None);

        Assert.Equal([ids[2], ids[1]], page.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Oldest_first_reads_forward_from_the_after_bound()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 10);

        var page = await store.ReadBucketAsync(channel, Bucket, null, after: ids[2], 3, PageOrder.OldestFirst, None);

        Assert.Equal([ids[3], ids[4], ids[5]], page.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Newest_first_with_only_an_after_bound_gives_the_newest_of_the_later_messages()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 10);

        var page = await store.ReadBucketAsync(channel, Bucket, null, after: ids[2], 3, PageOrder.NewestFirst, None);

        Assert.Equal([ids[9], ids[8], ids[7]], page.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Empty_or_unknown_buckets_and_empty_ranges_read_as_empty_pages()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 3);

        Assert.Empty(await store.ReadBucketAsync(channel, Bucket + 1, null, null, 50, PageOrder.NewestFirst, None));
        Assert.Empty(await store.ReadBucketAsync(channel, Bucket - 1, null, null, 50, PageOrder.OldestFirst, None));
        Assert.Empty(await store.ReadBucketAsync(Guid.NewGuid(), Bucket, null, null, 50, PageOrder.NewestFirst, None));
        Assert.Empty(await store.ReadBucketAsync(channel, Bucket, before: ids[0], null, 50, PageOrder.NewestFirst, None));
        Assert.Empty(await store.ReadBucketAsync(channel, Bucket, null, after: ids[2], 50, PageOrder.OldestFirst, None));
        Assert.Empty(await store.ReadBucketAsync(channel, Bucket, before: ids[1], after: ids[0], 50, PageOrder.NewestFirst, None));
    }

    [Fact]
    public async Task Messages_land_in_the_bucket_of_their_id_and_only_there()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var lastOfEarlier = Buckets.IdRange(Bucket - 1).Last;
        var firstOfBucket = Buckets.IdRange(Bucket).First;
        await store.InsertAsync(Message(channel, lastOfEarlier), None);
        await store.InsertAsync(Message(channel, firstOfBucket), None);

        var earlier = await store.ReadBucketAsync(channel, Bucket - 1, null, null, 50, PageOrder.NewestFirst, None);
        var current = await store.ReadBucketAsync(channel, Bucket, null, null, 50, PageOrder.NewestFirst, None);

        Assert.Equal([lastOfEarlier], earlier.Select(m => m.MessageId));
        Assert.Equal([firstOfBucket], current.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Channels_do_not_see_each_others_messages()
    {
        var (store, channel, _) = await SeedAsync(await CreateStoreAsync(), 3);
        var other = Guid.NewGuid();
        await store.InsertAsync(Message(other, Id(15)), None);

        var page = await store.ReadBucketAsync(channel, Bucket, null, null, 50, PageOrder.NewestFirst, None);

        Assert.Equal(3, page.Count);
        Assert.All(page, m => Assert.Equal(channel, m.ChannelId));
    }

    [Fact]
    public async Task Inserting_the_same_id_again_replaces_the_row_instead_of_adding_one()
    {
        var store = await CreateStoreAsync();
        var message = Message(Guid.NewGuid(), Id(5));
        await store.InsertAsync(message, None);

        await store.InsertAsync(message with { Content = "retried" }, None);

        var page = await store.ReadBucketAsync(message.ChannelId, Bucket, null, null, 50, PageOrder.NewestFirst, None);
        Assert.Equal("retried", Assert.Single(page).Content);
    }

    [Fact]
    public async Task Editing_replaces_the_content_and_sets_the_edit_time()
    {
        var store = await CreateStoreAsync();
        var message = Message(Guid.NewGuid(), Id(5));
        await store.InsertAsync(message, None);
        var editedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

        Assert.True(await store.UpdateContentAsync(message.ChannelId, message.MessageId, "edited", editedAt, None));

        var read = await store.GetAsync(message.ChannelId, message.MessageId, None);
        Assert.Equal(message with { Content = "edited", EditedAt = editedAt }, read);
    }

    [Fact]
    public async Task Editing_or_deleting_an_unknown_message_reports_false()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.UpdateContentAsync(Guid.NewGuid(), Id(5), "x", DateTimeOffset.UnixEpoch, None));
        Assert.False(await store.SoftDeleteAsync(Guid.NewGuid(), Id(5), "deleted", None));
    }

    [Fact]
    public async Task Soft_delete_keeps_the_row_and_its_place_with_the_placeholder()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 3);

        Assert.True(await store.SoftDeleteAsync(channel, ids[1], "[deleted]", None));

        var page = await store.ReadBucketAsync(channel, Bucket, null, null, 50, PageOrder.NewestFirst, None);
        Assert.Equal(ids.Reverse(), page.Select(m => m.MessageId));
        var deleted = page[1];
        Assert.True(deleted.Deleted);
        Assert.Equal("[deleted]", deleted.Content);
        Assert.False(page[0].Deleted);
        Assert.True((await store.GetAsync(channel, ids[1], None))!.Deleted);
    }

    [Fact]
    public async Task A_nonce_finds_the_message_first_sent_with_it()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var author = Guid.NewGuid();
        await store.InsertAsync(Message(channel, Id(5), "abc", author), None);

        Assert.Equal(Id(5), await store.FindByNonceAsync(channel, author, "abc", None));
    }

    [Fact]
    public async Task A_nonce_is_scoped_to_its_channel_and_author()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var author = Guid.NewGuid();
        await store.InsertAsync(Message(channel, Id(5), "abc", author), None);

        Assert.Null(await store.FindByNonceAsync(channel, Guid.NewGuid(), "abc", None));
        Assert.Null(await store.FindByNonceAsync(Guid.NewGuid(), author, "abc", None));
        Assert.Null(await store.FindByNonceAsync(channel, author, "abd", None));
        Assert.Null(await store.FindByNonceAsync(channel, author, "ABC", None));
    }

    [Fact]
    public async Task A_reused_nonce_keeps_pointing_at_the_first_message()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var author = Guid.NewGuid();
        await store.InsertAsync(Message(channel, Id(5), "abc", author), None);

        await store.InsertAsync(Message(channel, Id(6), "abc", author), None);

        Assert.Equal(Id(5), await store.FindByNonceAsync(channel, author, "abc", None));
    }

    [Fact]
    public async Task A_message_without_a_nonce_is_not_found_by_any_nonce()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var author = Guid.NewGuid();
        await store.InsertAsync(Message(channel, Id(5), null, author), None);

        Assert.Null(await store.FindByNonceAsync(channel, author, "", None));
    }

    [Fact]
    public async Task A_returned_page_is_a_copy_not_the_stores_own()
    {
        var (store, channel, ids) = await SeedAsync(await CreateStoreAsync(), 3);
        var page = await store.ReadBucketAsync(channel, Bucket, null, null, 50, PageOrder.NewestFirst, None);

        Aliasing.TryOverwrite(page, 0, page[0] with { Content = "tampered", Deleted = true });

        var again = await store.ReadBucketAsync(channel, Bucket, null, null, 50, PageOrder.NewestFirst, None);
        Assert.Equal($"message {ids[2]}", again[0].Content);
        Assert.False((await store.GetAsync(channel, ids[2], None))!.Deleted);
    }
}
