using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

// Self-tests of WellWon.Testing live here until that library gets its own test project.
public sealed class ManualTimeProviderTests
{
    [Fact]
    public void Timers_fire_in_due_time_order_at_their_own_due_time()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var fired = new List<(string Name, TimeSpan At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var middle = time.CreateTimer(_ => fired.Add(("middle", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(
            [("early", TimeSpan.FromSeconds(10)), ("middle", TimeSpan.FromSeconds(20)), ("late", TimeSpan.FromSeconds(30))],
            fired);
        Assert.Equal(start + TimeSpan.FromMinutes(1), time.GetUtcNow());
    }

    [Fact]
    public void Timers_due_at_the_same_instant_fire_in_creation_order()
    {
        var time = new ManualTimeProvider();
        var fired = new List<int>();
        using var first = time.CreateTimer(_ => fired.Add(1), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var second = time.CreateTimer(_ => fired.Add(2), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([1, 2], fired);
    }

    [Fact]
    public void A_timer_does_not_fire_before_its_due_time()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(9.999));
        Assert.Equal(0, fired);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_crossed_and_keeps_firing()
    {
        var time = new ManualTimeProvider();
        var start = time.GetTimestamp();
        var firedAt = new List<TimeSpan>();
        using var timer = time.CreateTimer(_ => firedAt.Add(time.GetElapsedTime(start)), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        time.Advance(TimeSpan.FromSeconds(6));
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal([1, 3, 5, 7], firedAt.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void Periodic_and_one_shot_timers_interleave_by_due_time()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        using var tick = time.CreateTimer(_ => fired.Add("tick"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        using var once = time.CreateTimer(_ => fired.Add("once"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(["tick", "once", "tick", "tick"], fired);
    }

    [Fact]
    public void Change_reschedules_from_now_and_infinite_due_time_stops_the_timer()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(8));
        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);

        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void A_disposed_timer_never_fires_and_cannot_be_changed()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public void A_periodic_timer_can_dispose_itself_from_its_callback()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            if (++fired == 3)
            {
                timer!.Dispose();
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(3, fired);
    }

    [Fact]
    public void A_timer_created_by_a_callback_fires_within_the_same_advance_when_due()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        var timers = new List<ITimer>();
        timers.Add(time.CreateTimer(_ =>
        {
            fired.Add("outer");
            timers.Add(time.CreateTimer(_ => fired.Add("inner"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));

        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["outer", "inner"], fired);
        Assert.Equal(TimeSpan.FromSeconds(3), time.Elapsed);
    }

    [Fact]
    public void A_zero_due_time_fires_on_the_next_advance_even_of_zero()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, fired);

        time.Advance(TimeSpan.Zero);

        Assert.Equal(1, fired);
    }

    [Fact]
    public void Timestamps_move_with_advance_and_not_with_wall_clock_jumps()
    {
        var time = new ManualTimeProvider();
        var start = time.GetTimestamp();

        time.UtcNow = time.UtcNow.AddHours(-3);
        Assert.Equal(TimeSpan.Zero, time.GetElapsedTime(start));

        time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), time.GetElapsedTime(start));
        Assert.Equal(ManualTimeProvider.DefaultStart.AddHours(-3).AddMilliseconds(1500), time.GetUtcNow());
    }

    [Fact]
    public async Task Task_delay_and_cancel_after_complete_when_the_clock_is_advanced()
    {
        var time = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMinutes(5), time);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1), time);
        Assert.False(delay.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(cts.IsCancellationRequested);
        Assert.False(delay.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(4));
        await delay.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Concurrent_advances_fire_every_tick_exactly_once()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 250; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        });

        Assert.Equal(1000, fired);
        Assert.Equal(TimeSpan.FromSeconds(1), time.Elapsed);
    }
}
