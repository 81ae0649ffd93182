namespace WellWon.Grains.Domain;

/// <summary>
/// Message buckets: whole 10-day windows since <see cref="Snowflake.Epoch"/>, derived from a Snowflake's timestamp.
/// A channel's messages are partitioned by (channel, bucket), so a bucket bounds one store partition.
/// </summary>
public static class Buckets
{
    /// <summary>Length of a bucket in milliseconds (10 days).</summary>
    public const long BucketMilliseconds = 10L * 24 * 60 * 60 * 1000;

    /// <summary>Length of a bucket.</summary>
    public static readonly TimeSpan BucketSize = TimeSpan.FromMilliseconds(BucketMilliseconds);

    /// <summary>The largest bucket number any ID can fall in.</summary>
    public static readonly int MaxBucket = (int)(Snowflake.MaxTimestamp / BucketMilliseconds);

    /// <summary>The bucket a message ID belongs to.</summary>
    public static int Of(long messageId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageId);
        return (int)(Snowflake.GetTimestamp(messageId) / BucketMilliseconds);
    }

    /// <summary>The bucket containing <paramref name="time"/>; times before the epoch fall in bucket 0.</summary>
    public static int Of(DateTimeOffset time)
    {
        var ms = Math.Clamp(Snowflake.ToTimestamp(time), 0, Snowflake.MaxTimestamp);
        return (int)(ms / BucketMilliseconds);
    }

    /// <summary>The first instant of a bucket.</summary>
    public static DateTimeOffset StartOf(int bucket)
    {
        ValidateBucket(bucket);
        return Snowflake.Epoch.AddMilliseconds(bucket * BucketMilliseconds);
    }

    /// <summary>The smallest and largest ID a bucket can hold (both inclusive).</summary>
    public static (long First, long Last) IdRange(int bucket)
    {
        ValidateBucket(bucket);
        var firstMs = bucket * BucketMilliseconds;
        var lastMs = Math.Min(firstMs + BucketMilliseconds - 1, Snowflake.MaxTimestamp);
        return (Snowflake.Create(firstMs, 0, 0), Snowflake.Create(lastMs, Snowflake.MaxWorkerId, Snowflake.MaxSequence));
    }

    private static void ValidateBucket(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucket, MaxBucket);
    }
}
