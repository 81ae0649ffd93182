using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Tests.Grains;

namespace WellWon.Runtime.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task Invalid_options_stop_the_silo_from_starting_and_name_the_setting()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync(o => o.ResponseTimeout = TimeSpan.Zero));
        Assert.Contains("WellWon:Silo:ResponseTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_and_activations_are_reported_as_metrics()
    {
        long calls = 0;
        long activations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "WellWon.Runtime")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "wellwon.grain.calls")
            {
                Interlocked.Add(ref calls, value);
            }
            else if (instrument.Name == "wellwon.grain.activations" && value > 0)
            {
                // Parallel tests deactivate their grains too, so only count activations, not the running sum.
                Interlocked.Add(ref activations, value);
            }
        });
        listener.Start();

        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IProbeGrain>(Guid.NewGuid());
        for (var i = 0; i < 10; i++)
        {
            await grain.Ping("m");
        }

        // Other tests run in parallel and share the meter, so these are lower bounds.
        Assert.True(Interlocked.Read(ref calls) >= 10, $"calls counted: {calls}");
        Assert.True(Interlocked.Read(ref activations) >= 1, $"activations counted: {activations}");
    }

    [Fact]
    public async Task A_grain_interface_without_an_implementation_fails_the_call_with_a_clear_message()
    {
        await using var silo = await TestSilo.StartAsync();
        var orphan = silo.Grains.GetGrain<IOrphanGrain>(1);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => orphan.Nothing());
        Assert.Contains("IOrphanGrain", e.Message, StringComparison.Ordinal);
    }
}

public interface IOrphanGrain : IGrainWithIntegerKey
{
    /// <summary>Never implemented.</summary>
    Task Nothing();
}

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_again_after_the_host_was_disposed_is_harmless()
    {
        var silo = await TestSilo.StartAsync();
        await silo.Grains.GetGrain<Grains.ICounterGrain>("twice").Add(1);
        var runtime = silo.Runtime;
        await silo.DisposeAsync();

        // Minimal hosting may call StopAsync on hosted services after disposing the host.
        await runtime.StopAsync(CancellationToken.None);
        Assert.Equal(0, runtime.Catalog.Count);
    }
}
