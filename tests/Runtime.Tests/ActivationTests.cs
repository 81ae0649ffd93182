using WellWon.Runtime.Tests.Grains;
using WellWon.Testing;

namespace WellWon.Runtime.Tests;

public sealed class ActivationTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task A_thousand_concurrent_first_calls_produce_exactly_one_activation()
    {
        var id = Guid.NewGuid();
        var grain = _silo.Grains.GetGrain<IProbeGrain>(id);
        var start = new TaskCompletionSource();
        var calls = Enumerable.Range(0, 1000).Select(async i =>
        {
            await start.Task;
            return await grain.Ping(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();
        start.SetResult();
        await Task.WhenAll(calls).WaitAsync(Bound);

        Assert.Equal(1, _silo.Probe.Count("activate:" + id.ToString("N")));
        Assert.Equal(1, _silo.Runtime.Catalog.Count);
    }

    [Fact]
    public async Task Calls_through_different_references_reach_the_same_activation()
    {
        var a = _silo.Grains.GetGrain<ICounterGrain>("same");
        var b = _silo.Grains.GetGrain<ICounterGrain>("same");
        await a.Add(2);
        await b.Add(3);
        Assert.Equal(5, await a.Get());
        Assert.Equal(1, _silo.Probe.Count("activate:same"));
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task A_failing_OnActivateAsync_fails_every_waiting_caller_and_leaves_nothing_behind()
    {
        var id = Guid.NewGuid();
        _silo.Probe.Increment("fail-activation:" + id.ToString("N"));
        var grain = _silo.Grains.GetGrain<IProbeGrain>(id);

        var calls = Enumerable.Range(0, 10).Select(_ => grain.Ping("x")).ToList();
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(Bound));
            Assert.Equal("activation refused by test", e.Message);
        }

        Assert.False(_silo.Runtime.Catalog.TryGet(GrainId.Create(typeof(IProbeGrain).FullName!, id), out _));

        // Once the cause is gone, the next call activates afresh.
        _silo.Probe.Decrement("fail-activation:" + id.ToString("N"));
        Assert.Equal("y", await grain.Ping("y").WaitAsync(Bound));
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_call_and_the_next_call_activates_again()
    {
        var grain = _silo.Grains.GetGrain<ICounterGrain>("bounce");
        await grain.Add(7);
        await grain.Deactivate();
        await Eventually.WaitUntil(() => _silo.Probe.Count("deactivate:bounce") == 1, Bound, "the counter grain to deactivate");

        Assert.Equal(7, await grain.Get());
        Assert.Equal(2, _silo.Probe.Count("activate:bounce"));
    }

    [Fact]
    public async Task State_is_loaded_before_OnActivateAsync_and_survives_reactivation()
    {
        var grain = _silo.Grains.GetGrain<ICounterGrain>("durable");
        Assert.Equal(0, await grain.ValueSeenOnActivate());
        await grain.Add(41);
        await grain.Add(1);
        await grain.Deactivate();
        await Eventually.WaitUntil(() => _silo.Probe.Count("deactivate:durable") == 1, Bound, "deactivation");

        Assert.Equal(42, await grain.ValueSeenOnActivate());
        Assert.Equal(42, await grain.Get());
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_fails_with_InconsistentStateException()
    {
        var grain = _silo.Grains.GetGrain<ITwinStateGrain>(1);
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.WriteBothHandles());
        Assert.Equal("1", await grain.FirstEtag());
    }

    [Fact]
    public async Task Clearing_state_resets_it_and_a_later_activation_starts_empty()
    {
        var grain = _silo.Grains.GetGrain<ICounterGrain>("cleared");
        await grain.Add(5);
        await grain.Clear();
        Assert.Equal(0, await grain.Get());
        await grain.Deactivate();
        await Eventually.WaitUntil(() => _silo.Probe.Count("deactivate:cleared") == 1, Bound, "deactivation");
        Assert.Equal(0, await grain.ValueSeenOnActivate());
    }
}

public sealed class IdleCollectionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_activation_idle_past_its_collection_age_is_deactivated_and_a_busy_one_is_not()
    {
        await using var silo = await TestSilo.StartAsync(
            o =>
            {
                o.CollectionAge = TimeSpan.FromMinutes(10);
                o.CollectionQuantum = TimeSpan.FromMinutes(1);
            },
            manualClock: true);
        var clock = silo.Clock!;
        var idle = silo.Grains.GetGrain<ICounterGrain>("idle");
        var busy = silo.Grains.GetGrain<ICounterGrain>("busy");
        await idle.Add(1);
        await busy.Add(1);

        // The idle grain's last activity is stamped when its turn completes, which under load can trail the
        // test's clock moves, so keep moving time minute by minute until it is collected (never before 10).
        var minutes = 0;
        while (silo.Probe.Count("deactivate:idle") == 0 && minutes < 30)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            minutes++;
            await busy.Add(1);
        }

        await Eventually.WaitUntil(() => silo.Probe.Count("deactivate:idle") == 1, Bound,
            "the idle grain to be collected; activations: " + string.Join(", ", silo.Runtime.Catalog.Activations.Select(a => a.Describe())));
        Assert.InRange(minutes, 10, 29);
        Assert.Equal(0, silo.Probe.Count("deactivate:busy"));
        Assert.Contains("deactivate:idle:IdleTimeout", silo.Probe.Events);

        Assert.Equal(1, await idle.Get());
        Assert.Equal(2, silo.Probe.Count("activate:idle"));
    }

    [Fact]
    public async Task Stopping_the_host_deactivates_every_activation()
    {
        var silo = await TestSilo.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            await silo.Grains.GetGrain<ICounterGrain>("stop" + i).Add(1);
        }

        await silo.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(1, silo.Probe.Count("deactivate:stop" + i));
        }

        Assert.Equal(0, silo.Runtime.Catalog.Count);
        await silo.DisposeAsync();
    }
}
