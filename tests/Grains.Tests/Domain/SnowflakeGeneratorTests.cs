using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class SnowflakeGeneratorTests
{
    private static readonly DateTimeOffset Start = Snowflake.Epoch.AddDays(100);
    private static readonly long StartMs = Snowflake.ToTimestamp(Start);

    [Fact]
    public void The_first_id_carries_the_clock_the_worker_and_sequence_zero()
    {
        var generator = new SnowflakeGenerator(new ManualTimeProvider(Start), workerId: 42);

        var id = generator.NextId();

        Assert.Equal(Snowflake.Create(StartMs, 42, 0), id);
        Assert.Equal(StartMs, generator.HighWaterMark);
    }

    [Fact]
    public void Ids_in_the_same_millisecond_take_consecutive_sequence_numbers()
    {
        var generator = new SnowflakeGenerator(new ManualTimeProvider(Start), workerId: 1);

        var ids = Enumerable.Range(0, 10).Select(_ => generator.NextId()).ToArray();

        Assert.Equal(Enumerable.Range(0, 10), ids.Select(Snowflake.GetSequence));
        Assert.All(ids, id => Assert.Equal(StartMs, Snowflake.GetTimestamp(id)));
    }

    [Fact]
    public void A_new_millisecond_restarts_the_sequence()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 1);
        generator.NextId();
        generator.NextId();

        clock.Advance(TimeSpan.FromMilliseconds(3));
        var id = generator.NextId();

        Assert.Equal(Snowflake.Create(StartMs + 3, 1, 0), id);
    }

    [Fact]
    public void After_4096_ids_in_one_millisecond_the_next_waits_for_the_clock_to_move()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 9);
        var first = Enumerable.Range(0, 4096).Select(_ => generator.NextId()).ToArray();
        Assert.All(first, id => Assert.Equal(StartMs, Snowflake.GetTimestamp(id)));
        Assert.Equal(4095, Snowflake.GetSequence(first[^1]));

        // The clock moves only after the generator has polled it several times: proof that it waited.
        var readsBefore = clock.Reads;
        clock.OnRead = c =>
        {
            if (c.Reads - readsBefore == 5)
            {
                c.Advance(TimeSpan.FromMilliseconds(1));
            }
        };
        var next = generator.NextId();

        Assert.True(clock.Reads - readsBefore >= 5);
        Assert.Equal(Snowflake.Create(StartMs + 1, 9, 0), next);
    }

    [Fact]
    public void A_wait_for_the_next_millisecond_can_be_cancelled()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 9);
        for (var i = 0; i < 4096; i++)
        {
            generator.NextId();
        }

        using var cts = new CancellationTokenSource();
        clock.OnRead = _ => cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => generator.NextId(cts.Token));
    }

    [Fact]
    public void A_clock_step_backwards_neither_reuses_ids_nor_goes_backwards()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 3);
        var before = Enumerable.Range(0, 100).Select(_ => generator.NextId()).ToArray();

        clock.Set(Start.AddSeconds(-5));
        var after = Enumerable.Range(0, 10_000).Select(_ => generator.NextId()).ToArray();

        var all = before.Concat(after).ToArray();
        for (var i = 1; i < all.Length; i++)
        {
            Assert.True(all[i] > all[i - 1], $"id {i} did not increase");
        }

        // With the clock behind, it borrows sequence numbers and then advances its own logical millisecond.
        Assert.Equal(StartMs, Snowflake.GetTimestamp(after[0]));
        Assert.Equal(100, Snowflake.GetSequence(after[0]));
        Assert.Equal(StartMs + 2, Snowflake.GetTimestamp(after[^1]));
        Assert.Equal(StartMs + 2, generator.HighWaterMark);
    }

    [Fact]
    public void When_the_clock_catches_up_after_a_step_back_ids_follow_the_clock_again()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 3);
        var last = generator.NextId();
        clock.Set(Start.AddMilliseconds(-10));
        generator.NextId();

        clock.Set(Start.AddMilliseconds(20));
        var next = generator.NextId();

        Assert.True(next > last);
        Assert.Equal(Snowflake.Create(StartMs + 20, 3, 0), next);
    }

    [Fact]
    public void A_restarted_worker_given_the_high_water_mark_never_reissues()
    {
        var clock = new ManualTimeProvider(Start);
        var previous = new SnowflakeGenerator(clock, workerId: 5);
        var issued = Enumerable.Range(0, 50).Select(_ => previous.NextId()).ToArray();
        var mark = previous.HighWaterMark;

        // Same millisecond, same worker ID: the new incarnation must wait for a later millisecond.
        clock.OnRead = c => c.Advance(TimeSpan.FromTicks(2500));
        var restarted = new SnowflakeGenerator(clock, workerId: 5, highWaterMark: mark);
        var id = restarted.NextId();

        Assert.True(id > issued.Max());
        Assert.True(Snowflake.GetTimestamp(id) > mark);
    }

    [Fact]
    public void A_restarted_worker_whose_clock_is_behind_the_high_water_mark_issues_after_it()
    {
        var clock = new ManualTimeProvider(Start.AddMinutes(-1));
        var generator = new SnowflakeGenerator(clock, workerId: 5, highWaterMark: StartMs);

        var id = generator.NextId();

        Assert.Equal(Snowflake.Create(StartMs + 1, 5, 0), id);
    }

    [Fact]
    public void Worker_ids_outside_0_to_1023_are_rejected()
    {
        var clock = new ManualTimeProvider(Start);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(clock, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(clock, 1024));
        Assert.Equal(1023, new SnowflakeGenerator(clock, 1023).WorkerId);
    }

    [Fact]
    public async Task Ids_from_many_threads_are_unique_and_increase_per_thread()
    {
        var generator = new SnowflakeGenerator(TimeProvider.System, workerId: 77);
        const int threads = 8;
        const int perThread = 12_500;

        var batches = await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
        {
            var ids = new long[perThread];
            for (var i = 0; i < perThread; i++)
            {
                ids[i] = generator.NextId();
            }

            return ids;
        })));

        foreach (var batch in batches)
        {
            for (var i = 1; i < batch.Length; i++)
            {
                Assert.True(batch[i] > batch[i - 1]);
            }
        }

        var all = batches.SelectMany(b => b).ToArray();
        Assert.Equal(threads * perThread, all.Distinct().Count());
        Assert.All(all, id => Assert.Equal(77, Snowflake.GetWorkerId(id)));

        // No millisecond holds more than 4096 of them.
        Assert.True(all.GroupBy(Snowflake.GetTimestamp).Max(g => g.Count()) <= 4096);
    }

    [Fact]
    public void A_floor_ahead_of_the_clock_lifts_the_timestamp_and_ids_keep_increasing()
    {
        var clock = new ManualTimeProvider(Start);
        var generator = new SnowflakeGenerator(clock, workerId: 3);
        var first = generator.NextId();
        var floor = Snowflake.GetTimestamp(first) + 5_000;

        var lifted = generator.NextId(floor);
        var next = generator.NextId();

        Assert.Equal(floor, Snowflake.GetTimestamp(lifted));
        Assert.True(next > lifted);
        Assert.Equal(floor, Snowflake.GetTimestamp(next));
        for (var i = 0; i < 5000; i++)
        {
            Assert.True(generator.NextId(floor) > next, "never waits for the clock while the floor is ahead of it");
        }
    }
}
