using WellWon.Grains.Storage;

namespace WellWon.Grains.Domain;

/// <summary>
/// A history page request: up to <see cref="Limit"/> messages, optionally bounded by <see cref="Before"/> and/or
/// <see cref="After"/> (both exclusive) or centred on <see cref="Around"/> (which excludes the other two).
/// </summary>
/// <param name="Limit">Page size, at least 1 (validate API input with <see cref="ChatValidation.ValidateLimit"/>).</param>
/// <param name="Before">Only messages with a smaller ID.</param>
/// <param name="After">Only messages with a larger ID; the page is then the messages immediately after it.</param>
/// <param name="Around">The page is centred on this ID: up to Limit/2 newer messages, then it and older ones.</param>
public sealed record HistoryQuery(int Limit, long? Before = null, long? After = null, long? Around = null);

/// <summary>
/// Reads a page of channel history across 10-day buckets through <see cref="IMessageStore"/>, newest first, honouring
/// a reader's membership windows. It visits only buckets listed as non-empty, and skips buckets and ID ranges the
/// reader cannot see, so a quiet channel costs one store query per page and invisible stretches cost none.
/// </summary>
/// <remarks>
/// The non-empty bucket list is a parameter rather than a query: the channel grain, as the only writer of its channel,
/// loads it from <see cref="IBucketIndex"/> once on activation and adds to it as it writes, so a warm read needs no
/// index query at all.
/// </remarks>
public sealed class MessageHistoryReader(IMessageStore store)
{
    /// <summary>Reads one page, newest first.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="nonEmptyBuckets">The channel's non-empty buckets, in any order.</param>
    /// <param name="query">What to read.</param>
    /// <param name="visibility">The reader's membership windows; null reads everything (system use).</param>
    /// <param name="cancellationToken">Cancels the store queries.</param>
    public async Task<IReadOnlyList<MessageRecord>> ReadAsync(
        Guid channelId,
        IReadOnlyCollection<int> nonEmptyBuckets,
        HistoryQuery query,
        MembershipWindows? visibility,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nonEmptyBuckets);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        if (query.Around is not null && (query.Before is not null || query.After is not null))
        {
            throw new ArgumentException("Around excludes Before and After.", nameof(query));
        }

        var ranges = visibility?.Windows.Select(w => w.ToIdRange()).Where(r => r.First <= r.Last).ToArray();
        var buckets = nonEmptyBuckets.Distinct().Order().ToArray();

        if (query.Around is { } around)
        {
            var newer = await ReadForwardAsync(channelId, buckets, ranges, after: around, before: null, query.Limit / 2, cancellationToken)
                .ConfigureAwait(false);
            var older = await ReadBackwardAsync(
                    channelId, buckets, ranges, before: around == long.MaxValue ? null : around + 1, after: null, query.Limit - newer.Count, cancellationToken)
                .ConfigureAwait(false);
            newer.Reverse();
            newer.AddRange(older);
            return newer;
        }

        if (query.After is { } afterId && query.Before is null)
        {
            var forward = await ReadForwardAsync(channelId, buckets, ranges, afterId, null, query.Limit, cancellationToken).ConfigureAwait(false);
            forward.Reverse();
            return forward;
        }

        return await ReadBackwardAsync(channelId, buckets, ranges, query.Before, query.After, query.Limit, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<MessageRecord>> ReadBackwardAsync(
        Guid channelId,
        int[] ascendingBuckets,
        (long First, long Last)[]? visible,
        long? before,
        long? after,
        int limit,
        CancellationToken cancellationToken)
    {
        var result = new List<MessageRecord>();
        for (var i = ascendingBuckets.Length - 1; i >= 0 && result.Count < limit; i--)
        {
            var bucket = ascendingBuckets[i];
            var (first, last) = Buckets.IdRange(bucket);
            if (after is { } a && last <= a)
            {
                break;
            }

            // Each query covers one window's slice of the bucket, so rows the reader may not see are never read.
            var cursor = before is { } b && b <= last ? b : EndOf(last);
            while (result.Count < limit && cursor > first)
            {
                if (WindowBelow(visible, cursor) is not var (upper, windowLower))
                {
                    return result;
                }

                var lower = Math.Max(Math.Max(windowLower, first - 1), after ?? -1);
                if (upper - 1 <= lower)
                {
                    // Cut off by the bucket's start or by the after bound: nothing more in this bucket.
                    break;
                }

                var want = limit - result.Count;
                var page = await store.ReadBucketAsync(
                        channelId, bucket, upper > last ? null : upper, lower < first ? null : lower, want, PageOrder.NewestFirst, cancellationToken)
                    .ConfigureAwait(false);
                result.AddRange(page);
                cursor = page.Count < want ? windowLower + 1 : page[^1].MessageId;
            }
        }

        return result;
    }

    private async Task<List<MessageRecord>> ReadForwardAsync(
        Guid channelId,
        int[] ascendingBuckets,
        (long First, long Last)[]? visible,
        long after,
        long? before,
        int limit,
        CancellationToken cancellationToken)
    {
        var result = new List<MessageRecord>();
        foreach (var bucket in ascendingBuckets)
        {
            var (first, last) = Buckets.IdRange(bucket);
            if (result.Count >= limit || (before is { } b && first >= b))
            {
                break;
            }

            var cursor = Math.Max(after, first - 1);
            while (result.Count < limit && cursor < last)
            {
                if (WindowAbove(visible, cursor) is not var (lower, windowUpper))
                {
                    return result;
                }

                var upper = Math.Min(Math.Min(windowUpper, EndOf(last)), before ?? long.MaxValue);
                if (lower + 1 >= upper)
                {
                    // Cut off by the bucket's end or by the before bound: nothing more in this bucket.
                    break;
                }

                var want = limit - result.Count;
                var page = await store.ReadBucketAsync(
                        channelId, bucket, upper > last ? null : upper, lower < first ? null : lower, want, PageOrder.OldestFirst, cancellationToken)
                    .ConfigureAwait(false);
                result.AddRange(page);
                cursor = page.Count < want ? windowUpper - 1 : page[^1].MessageId;
            }
        }

        return result;
    }

    /// <summary>The exclusive upper bound just past <paramref name="last"/>, saturating at the largest ID.</summary>
    private static long EndOf(long last) => last == long.MaxValue ? long.MaxValue : last + 1;

    /// <summary>
    /// The slice of the newest window that has IDs below <paramref name="exclusiveUpper"/>: its exclusive upper bound
    /// (capped at <paramref name="exclusiveUpper"/>) and its exclusive lower bound; null when nothing below is visible.
    /// </summary>
    private static (long ExclusiveUpper, long ExclusiveLower)? WindowBelow((long First, long Last)[]? visible, long exclusiveUpper)
    {
        if (visible is null)
        {
            return (exclusiveUpper, -1);
        }

        for (var i = visible.Length - 1; i >= 0; i--)
        {
            var (first, last) = visible[i];
            if (first < exclusiveUpper)
            {
                return (last == long.MaxValue ? exclusiveUpper : Math.Min(exclusiveUpper, last + 1), first - 1);
            }
        }

        return null;
    }

    /// <summary>The mirror of <see cref="WindowBelow"/>: the oldest window slice above an exclusive lower bound.</summary>
    private static (long ExclusiveLower, long ExclusiveUpper)? WindowAbove((long First, long Last)[]? visible, long exclusiveLower)
    {
        if (visible is null)
        {
            return (exclusiveLower, long.MaxValue);
        }

        foreach (var (first, last) in visible)
        {
            if (last > exclusiveLower)
            {
                return (Math.Max(exclusiveLower, first - 1), last == long.MaxValue ? long.MaxValue : last + 1);
            }
        }

        return null;
    }
}
