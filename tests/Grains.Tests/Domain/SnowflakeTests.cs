using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class SnowflakeTests
{
    [Fact]
    public void An_id_holds_timestamp_then_worker_then_sequence()
    {
        // 123456789 << 22 | 513 << 12 | 4000, computed by hand.
        var id = Snowflake.Create(123_456_789, 513, 4000);

        Assert.Equal(517_815_306_035_104L, id);
        Assert.Equal(123_456_789L, Snowflake.GetTimestamp(id));
        Assert.Equal(513, Snowflake.GetWorkerId(id));
        Assert.Equal(4000, Snowflake.GetSequence(id));
    }

    [Fact]
    public void The_field_widths_are_42_10_and_12_bits()
    {
        Assert.Equal(1L, Snowflake.Create(0, 0, 1));
        Assert.Equal(1L << 12, Snowflake.Create(0, 1, 0));
        Assert.Equal(1L << 22, Snowflake.Create(1, 0, 0));
        Assert.Equal(long.MaxValue, Snowflake.Create(Snowflake.MaxTimestamp, 1023, 4095));
    }

    [Fact]
    public void Parts_that_do_not_fit_their_field_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Create(-1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Create(Snowflake.MaxTimestamp + 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Create(0, 1024, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Create(0, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Create(0, 0, 4096));
    }

    [Fact]
    public void The_epoch_is_the_first_millisecond_of_2024_utc()
    {
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), Snowflake.Epoch);
        Assert.Equal(Snowflake.Epoch, Snowflake.GetCreatedAt(0));
        var id = Snowflake.Create(1500, 7, 3);
        Assert.Equal(Snowflake.Epoch.AddMilliseconds(1500), Snowflake.GetCreatedAt(id));
    }

    [Fact]
    public void Min_and_max_ids_for_a_time_bracket_every_id_created_at_that_time()
    {
        var t = Snowflake.Epoch.AddMilliseconds(1000);
        Assert.Equal(Snowflake.Create(1000, 0, 0), Snowflake.MinId(t));
        Assert.Equal(Snowflake.Create(1000, 1023, 4095), Snowflake.MaxId(t));
        Assert.Equal(Snowflake.MinId(t) - 1, Snowflake.MaxId(t.AddMilliseconds(-1)));
    }

    [Fact]
    public void Min_id_of_a_sub_millisecond_time_excludes_ids_earlier_in_that_millisecond()
    {
        var t = Snowflake.Epoch.AddMilliseconds(1000).AddTicks(5000);

        // An ID stamped at 1000 ms was created before t, so the first ID at or after t is in the next millisecond.
        Assert.Equal(Snowflake.Create(1001, 0, 0), Snowflake.MinId(t));
        Assert.Equal(Snowflake.Create(1000, 1023, 4095), Snowflake.MaxId(t));
    }

    [Fact]
    public void Times_before_the_epoch_bound_ids_from_below()
    {
        Assert.Equal(0, Snowflake.MinId(Snowflake.Epoch.AddDays(-1)));
        Assert.Equal(-1, Snowflake.MaxId(Snowflake.Epoch.AddTicks(-1)));
        Assert.Equal(-1, Snowflake.ToTimestamp(Snowflake.Epoch.AddTicks(-1)));
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(517_815_306_035_104L, "517815306035104")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    public void Ids_format_as_decimal_strings_and_parse_back(long id, string text)
    {
        Assert.Equal(text, Snowflake.Format(id));
        Assert.True(Snowflake.TryParse(text, out var parsed));
        Assert.Equal(id, parsed);
        Assert.Equal(id, Snowflake.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("12a")]
    [InlineData("1.0")]
    [InlineData("0x10")]
    [InlineData("007")]
    [InlineData("١٢٣")]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551615")]
    [InlineData("99999999999999999999")]
    public void Ids_that_are_not_canonical_non_negative_decimals_are_rejected(string text)
    {
        Assert.False(Snowflake.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Snowflake.Parse(text));
    }

    [Fact]
    public void Negative_ids_cannot_be_formatted()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Snowflake.Format(-5));
    }
}
