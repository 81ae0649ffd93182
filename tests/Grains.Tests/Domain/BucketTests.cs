using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class BucketTests
{
    private const long TenDaysMs = 864_000_000;

    [Fact]
    public void A_bucket_is_exactly_ten_days()
    {
        Assert.Equal(TenDaysMs, Buckets.BucketMilliseconds);
        Assert.Equal(TimeSpan.FromDays(10), Buckets.BucketSize);
    }

    [Fact]
    public void The_first_id_of_the_epoch_is_in_bucket_zero()
    {
        Assert.Equal(0, Buckets.Of(0L));
        Assert.Equal(0, Buckets.Of(Snowflake.Epoch));
    }

    [Fact]
    public void Ids_either_side_of_the_ten_day_boundary_fall_in_adjacent_buckets()
    {
        var lastOfFirst = Snowflake.Create(TenDaysMs - 1, 1023, 4095);
        var firstOfSecond = Snowflake.Create(TenDaysMs, 0, 0);

        Assert.Equal(0, Buckets.Of(lastOfFirst));
        Assert.Equal(1, Buckets.Of(firstOfSecond));
        Assert.Equal(firstOfSecond, lastOfFirst + 1);
    }

    [Fact]
    public void Times_either_side_of_the_boundary_fall_in_adjacent_buckets()
    {
        var boundary = new DateTimeOffset(2024, 1, 11, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(0, Buckets.Of(boundary.AddTicks(-1)));
        Assert.Equal(1, Buckets.Of(boundary));
        Assert.Equal(boundary, Buckets.StartOf(1));
    }

    [Fact]
    public void The_id_range_of_a_bucket_is_exactly_its_ten_days_of_ids()
    {
        var (first, last) = Buckets.IdRange(3);

        Assert.Equal(Snowflake.Create(3 * TenDaysMs, 0, 0), first);
        Assert.Equal(Snowflake.Create((4 * TenDaysMs) - 1, 1023, 4095), last);
        Assert.Equal(3, Buckets.Of(first));
        Assert.Equal(3, Buckets.Of(last));
        Assert.Equal(2, Buckets.Of(first - 1));
        Assert.Equal(4, Buckets.Of(last + 1));
        Assert.Equal(Buckets.StartOf(3), Snowflake.GetCreatedAt(first));
    }

    [Fact]
    public void The_last_bucket_ends_at_the_largest_id()
    {
        Assert.Equal(Buckets.MaxBucket, Buckets.Of(long.MaxValue));
        Assert.Equal(long.MaxValue, Buckets.IdRange(Buckets.MaxBucket).Last);
        Assert.Throws<ArgumentOutOfRangeException>(() => Buckets.IdRange(Buckets.MaxBucket + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Buckets.IdRange(-1));
    }
}
