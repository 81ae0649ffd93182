using System.Collections.Concurrent;

namespace WellWon.Runtime.Tests;

/// <summary>Lets test grains report what happened to them (activations, events, concurrency) to the test.</summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, int> _counters = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    /// <summary>An object a test hands to a grain out of band (reference-equality checks).</summary>
    public object? Stash { get; set; }

    public int Count(string name) => _counters.TryGetValue(name, out var n) ? n : 0;

    public int Increment(string name) => _counters.AddOrUpdate(name, 1, static (_, n) => n + 1);

    public int Decrement(string name) => _counters.AddOrUpdate(name, -1, static (_, n) => n - 1);

    public void Record(string e) => _events.Enqueue(e);

    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>A gate grains can await and tests can open.</summary>
    public Task Gate(string name) => _gates.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Open(string name) => _gates.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Tracks concurrent entries under a name; returns the peak seen.</summary>
    public int Peak(string name) => Count(name + ".peak");

    public void Enter(string name)
    {
        var now = Increment(name + ".inside");
        _counters.AddOrUpdate(name + ".peak", now, (_, peak) => Math.Max(peak, now));
    }

    public void Exit(string name) => Decrement(name + ".inside");
}
