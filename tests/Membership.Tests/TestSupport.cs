using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;
using Xunit.Abstractions;

namespace WellWon.Membership.Tests;

/// <summary>Bounded waits on conditions.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until true; fails the test after <paramref name="timeout"/>.</summary>
    /// <returns>How long it took.</returns>
    public static async Task<TimeSpan> Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(10);
        }

        return watch.Elapsed;
    }
}

/// <summary>Several membership agents in one process over one in-memory table and a fake network.</summary>
public sealed class AgentCluster : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly long _created = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<SiloAddress, ConcurrentQueue<long>> _published = new();

    public AgentCluster(ITestOutputHelper output, ClusterMembershipOptions? options = null, TimeProvider? time = null)
    {
        _output = output;
        Options = options ?? new ClusterMembershipOptions();
        Time = time ?? TimeProvider.System;
    }

    public ClusterMembershipOptions Options { get; }

    public TimeProvider Time { get; }

    public InMemoryMembershipTable Table { get; } = new();

    public FakeNetwork Network { get; } = new();

    public List<MembershipAgent> Agents { get; } = [];

    public static SiloAddress Address(int n) => new("127.0.0.1", 30000 + n, 1_000 + n);

    public MembershipAgent Create(int n)
    {
        var silo = Address(n);
        var agent = new MembershipAgent(silo, $"silo-{n}", Table, Network.TransportFor(silo), Options, Time, new TestLogger<MembershipAgent>(_output, $"silo-{n}", _created));
        var versions = _published.GetOrAdd(silo, _ => new ConcurrentQueue<long>());
        agent.ViewChanged += (_, view) => versions.Enqueue(view.Version);
        Network.Attach(agent);
        Agents.Add(agent);
        return agent;
    }

    public async Task<MembershipAgent[]> StartAsync(int count)
    {
        var started = new MembershipAgent[count];
        for (var i = 0; i < count; i++)
        {
            started[i] = Create(Agents.Count + 1);
            await started[i].StartAsync();
        }

        return started;
    }

    /// <summary>Every view version each agent published, in publication order.</summary>
    public IReadOnlyList<long> Published(SiloAddress silo) => [.. _published.GetValueOrDefault(silo) ?? new ConcurrentQueue<long>()];

    public async Task<MembershipEntry> RowOf(SiloAddress silo)
    {
        var data = await Table.ReadAllAsync();
        Assert.True(data.TryGet(silo, out var entry, out _));
        return entry;
    }

    public static bool SeesActive(MembershipAgent observer, params SiloAddress[] silos) =>
        observer.CurrentView.ActiveSilos.SequenceEqual(silos.Order());

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            await agent.DisposeAsync();
        }

        Network.Dispose();
    }
}

/// <summary>Writes log lines to the test output (swallowed once the test is over).</summary>
public sealed class TestLogger<T>(ITestOutputHelper output, string name, long start) : ILogger<T>
{

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            output.WriteLine($"{Stopwatch.GetElapsedTime(start).TotalMilliseconds,8:F0} ms {name} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
