using System.Globalization;
using WellWon.Runtime.Tests.Grains;
using WellWon.Testing;

namespace WellWon.Runtime.Tests;

public sealed class SchedulingTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Non_reentrant_turns_run_one_at_a_time_in_arrival_order_per_caller()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var sends = Enumerable.Range(0, 500).Select(grain.Append).ToList();
        await Task.WhenAll(sends).WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(0, 500), await grain.Log());
    }

    [Fact]
    public async Task A_second_request_waits_until_the_first_turn_has_completed()
    {
        var id = Guid.NewGuid();
        var grain = _silo.Grains.GetGrain<IProbeGrain>(id);
        var first = grain.Work("g1", "first");
        await Eventually.WaitUntil(() => _silo.Probe.Events.Contains("start:first"), Bound, "the first turn to start");
        var second = grain.Work("g2", "second");
        _silo.Probe.Open("g2");

        // The second cannot start while the first awaits its gate, even though its own gate is open.
        await Task.Yield();
        Assert.False(second.IsCompleted);
        _silo.Probe.Open("g1");
        await Task.WhenAll(first, second).WaitAsync(Bound);

        var events = _silo.Probe.Events.Where(e => e.EndsWith("first", StringComparison.Ordinal) || e.EndsWith("second", StringComparison.Ordinal)).ToList();
        Assert.Equal(["start:first", "end:first", "start:second", "end:second"], events);
        Assert.Equal(1, _silo.Probe.Peak(id.ToString("N")));
    }

    [Fact]
    public async Task ReadOnly_requests_interleave_with_each_other()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        const int readers = 8;

        // Each reader waits on a gate that opens only once all readers are inside at the same time:
        // this completes only if they overlap, whatever the timing.
        var reads = Enumerable.Range(0, readers).Select(i => grain.Read("ro", "r" + i)).ToList();
        await Eventually.WaitUntil(() => _silo.Probe.Count("ro.entered") == readers, Bound, "all readers to be inside at once");
        _silo.Probe.Open("ro");
        await Task.WhenAll(reads).WaitAsync(Bound);
    }

    [Fact]
    public async Task ReadOnly_requests_never_interleave_with_a_write()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var write = grain.Work("w", "write");
        await Eventually.WaitUntil(() => _silo.Probe.Events.Contains("start:write"), Bound, "the write to start");
        var read = grain.Read("r-open", "read");
        _silo.Probe.Open("r-open");
        await Task.Yield();
        Assert.Equal(0, _silo.Probe.Count("r-open.entered"));

        _silo.Probe.Open("w");
        await Task.WhenAll(write, read).WaitAsync(Bound);
        var events = _silo.Probe.Events.Where(e => e.EndsWith("write", StringComparison.Ordinal) || e.EndsWith("read", StringComparison.Ordinal)).ToList();
        Assert.Equal(["start:write", "end:write", "start:read", "end:read"], events);
    }

    [Fact]
    public async Task AlwaysInterleave_requests_run_while_a_turn_is_blocked()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var blocked = grain.Work("never-yet", "blocked");
        await Eventually.WaitUntil(() => _silo.Probe.Events.Contains("start:blocked"), Bound, "the blocking turn to start");

        Assert.Equal("p", await grain.Ping("p").WaitAsync(Bound));
        Assert.False(blocked.IsCompleted);
        _silo.Probe.Open("never-yet");
        await blocked.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_call_cycle_between_non_reentrant_grains_fails_fast_naming_the_cycle()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var grainA = _silo.Grains.GetGrain<IProbeGrain>(a);

        // The default response timeout is 30 s; the bound proves the failure does not wait for it.
        var e = await Assert.ThrowsAsync<DeadlockException>(() => grainA.CallOther(b, "unused").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(a.ToString("N"), e.Message, StringComparison.Ordinal);
        Assert.Contains(b.ToString("N"), e.Message, StringComparison.Ordinal);
        Assert.Contains("->", e.Message, StringComparison.Ordinal);

        // Both grains stay usable.
        Assert.Equal("ok", await grainA.Ping("ok"));
        Assert.Equal("ok", await _silo.Grains.GetGrain<IProbeGrain>(b).Ping("ok"));
    }

    [Fact]
    public async Task A_caller_whose_continuation_blocks_does_not_stall_the_grain()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        using var release = new ManualResetEventSlim();

        // A synchronous continuation that blocks: it must run outside the grain's turn.
        var blocked = grain.Ping("first").ContinueWith(_ => release.Wait(Bound), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.Equal("second", await grain.Ping("second").WaitAsync(Bound));
        release.Set();
        await blocked.WaitAsync(Bound);
    }

    [Fact]
    public async Task OneWay_calls_return_at_once_and_still_run()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var blocker = grain.Work("oneway-gate", "blocker");
        await Eventually.WaitUntil(() => _silo.Probe.Events.Contains("start:blocker"), Bound, "the blocking turn");

        // The grain is busy, yet the one-way call completes for the caller immediately.
        var notify = grain.Notify("n1");
        Assert.True(notify.IsCompleted);
        _silo.Probe.Open("oneway-gate");
        await blocker.WaitAsync(Bound);
        await Eventually.WaitUntil(() => _silo.Probe.Events.Contains("notify:n1"), Bound, "the one-way call to run");
    }
}

public sealed class CallBoundaryTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task A_callee_mutating_its_argument_never_changes_the_callers_object()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var bag = new Bag { Items = [1, 2, 3], Label = "caller" };

        var returned = await grain.MutateAndKeep(bag);

        Assert.Equal([1, 2, 3], bag.Items);
        Assert.Equal("caller", bag.Label);
        Assert.Equal([1, 2, 3, -1], returned.Items);

        // Nor does the caller mutating a result change what the grain holds.
        returned.Items.Clear();
        Assert.Equal([1, 2, 3, -1], (await grain.Kept()).Items);
    }

    [Fact]
    public async Task Immutable_arguments_are_passed_without_copying()
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var frozen = new Frozen("shared");
        _silo.Probe.Stash = frozen;
        Assert.True(await grain.SameFrozen(frozen));
    }

    [Theory]
    [InlineData("invalid", typeof(InvalidOperationException))]
    [InlineData("argument", typeof(ArgumentException))]
    [InlineData("custom", typeof(TestDomainException))]
    public async Task Exceptions_reach_the_caller_with_type_and_message_and_the_grain_stays_usable(string kind, Type expected)
    {
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var e = await Assert.ThrowsAnyAsync<Exception>(() => grain.Throw(kind, "bad " + kind));
        Assert.IsType(expected, e);
        Assert.StartsWith("bad " + kind, e.Message, StringComparison.Ordinal);
        Assert.Equal("still here", await grain.Ping("still here"));
    }

    [Fact]
    public async Task Observers_receive_calls_from_grains_until_deleted()
    {
        var observer = new PingCollector();
        var reference = _silo.Grains.CreateObjectReference<IPing>(observer);
        var grain = _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());

        await grain.Tell(reference, "hi");
        Assert.Equal("hi", await observer.Received.Task.WaitAsync(Bound));

        _silo.Grains.DeleteObjectReference<IPing>(observer);
        await Assert.ThrowsAsync<ObserverNotFoundException>(() => grain.Tell(reference, "gone"));
    }

    [Fact]
    public async Task The_same_grain_interface_with_different_keys_are_different_grains()
    {
        var a = _silo.Grains.GetGrain<ICounterGrain>("k-" + Guid.NewGuid().ToString("N"));
        var b = _silo.Grains.GetGrain<ICounterGrain>("k-" + Guid.NewGuid().ToString("N"));
        await a.Add(1);
        Assert.Equal(0, await b.Get());
        Assert.Equal(1, await a.Get());
    }

    [Fact]
    public async Task One_way_calls_to_an_observer_arrive_in_the_order_they_were_sent()
    {
        const int count = 20_000;
        var observer = new PingCollector { Expected = count };
        var reference = _silo.Grains.CreateObjectReference<IPing>(observer);

        await _silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid()).TellMany(reference, count);
        await observer.AllNoted.Task.WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(1, count), observer.Notes);
        _silo.Grains.DeleteObjectReference<IPing>(observer);
    }

    private sealed class PingCollector : IPing
    {
        private readonly List<int> _notes = [];

        public TaskCompletionSource<string> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource AllNoted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Expected { get; init; }

        public IReadOnlyList<int> Notes
        {
            get
            {
                lock (_notes)
                {
                    return [.. _notes];
                }
            }
        }

        public Task Note(int n)
        {
            lock (_notes)
            {
                _notes.Add(n);
                if (_notes.Count == Expected)
                {
                    AllNoted.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }

        public Task Hello(string text)
        {
            Received.TrySetResult(text);
            return Task.CompletedTask;
        }
    }
}

public sealed class DeadlineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_call_that_passes_its_deadline_fails_with_TimeoutException()
    {
        await using var silo = await TestSilo.StartAsync(o => o.ResponseTimeout = TimeSpan.FromSeconds(5), manualClock: true);
        var grain = silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        await grain.Ping("warm");

        var hanging = grain.Hang("never");
        silo.Clock!.Advance(TimeSpan.FromSeconds(4));
        Assert.False(hanging.IsCompleted);
        silo.Clock.Advance(TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<TimeoutException>(() => hanging.WaitAsync(Bound));
        Assert.Contains("Hang", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, silo.Runtime.PendingCallCount);

        // The grain's turn is still waiting (a deadline fails the caller, it cannot abort grain code); let it end.
        silo.Probe.Open("never");
    }

    [Fact]
    public async Task A_request_that_timed_out_while_queued_is_not_run()
    {
        await using var silo = await TestSilo.StartAsync(o => o.ResponseTimeout = TimeSpan.FromSeconds(5), manualClock: true);
        var grain = silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        var blocker = grain.Work("queue-gate", "blocker");
        await Eventually.WaitUntil(() => silo.Probe.Events.Contains("start:blocker"), Bound, "the blocking turn");
        var queued = grain.Work("open", "queued");
        silo.Probe.Open("open");

        silo.Clock!.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<TimeoutException>(() => queued.WaitAsync(Bound));
        await Assert.ThrowsAsync<TimeoutException>(() => blocker.WaitAsync(Bound));
        silo.Probe.Open("queue-gate");

        Assert.Equal("after", await grain.Ping("after").WaitAsync(Bound));
        Assert.DoesNotContain("start:queued", silo.Probe.Events);
    }
}

public sealed class TimerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Timer_ticks_run_as_turns_never_overlap_and_stop_on_deactivation()
    {
        await using var silo = await TestSilo.StartAsync(manualClock: true);
        var id = Guid.NewGuid();
        var key = id.ToString("N");
        var grain = silo.Grains.GetGrain<IProbeGrain>(id);
        await grain.StartTimer(TimeSpan.FromSeconds(1), "tick");

        silo.Clock!.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitUntil(() => silo.Probe.Count(key + ".ticks") == 1, Bound, "the first tick");

        // While tick 1 awaits its gate, time passes several periods: no second tick starts...
        silo.Clock.Advance(TimeSpan.FromSeconds(5));
        // ...and a request waits for the tick's turn to end.
        var work = grain.Work("work-gate", "work");
        silo.Probe.Open("work-gate");
        await Task.Yield();
        Assert.Equal(1, silo.Probe.Count(key + ".ticks"));
        Assert.False(work.IsCompleted);

        silo.Probe.Open("tick1");
        await work.WaitAsync(Bound);
        silo.Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitUntil(() => silo.Probe.Count(key + ".ticks") == 2, Bound, "the second tick");
        Assert.Equal(1, silo.Probe.Peak(key + ".timer"));
        Assert.Equal(1, silo.Probe.Peak(key));

        silo.Probe.Open("tick2");
        var runtimeActivation = silo.Runtime.Catalog.Activations.Single(a => a.GrainId.Key == key);
        runtimeActivation.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"));
        await Eventually.WaitUntil(() => silo.Probe.Events.Any(e => e.StartsWith("deactivate:" + key, StringComparison.Ordinal)), Bound, "deactivation");
        for (var i = 0; i < 5; i++)
        {
            silo.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, silo.Probe.Count(key + ".ticks"));
        _ = CultureInfo.InvariantCulture;
    }
}
