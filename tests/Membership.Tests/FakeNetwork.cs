using System.Collections.Concurrent;
using System.Diagnostics;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;

namespace WellWon.Membership.Tests;

/// <summary>
/// An in-memory network between agents in one process. Links can be cut and responders slowed down.
/// Replies are delivered by a dedicated "wire" thread, as a real transport's read loop would, so probe
/// outcomes never depend on the thread pool.
/// </summary>
public sealed class FakeNetwork : IDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, MembershipAgent> _agents = new();
    private readonly ConcurrentDictionary<(SiloAddress From, SiloAddress To), bool> _cut = new();
    private readonly ConcurrentDictionary<SiloAddress, TimeSpan> _delays = new();
    private readonly ConcurrentDictionary<SiloAddress, int> _answered = new();
    private readonly ConcurrentDictionary<SiloAddress, int> _relayed = new();
    private readonly Wire _wire = new();

    /// <summary>
    /// When set, a detached silo's port refuses connections (a killed process on a live host: probes fail at once);
    /// otherwise probes to it hang until their timeout (a dead host or a cut cable).
    /// </summary>
    public bool RefuseWhenDetached { get; set; }

    /// <summary>When set, every gossip message is lost (probes still flow).</summary>
    public bool DropGossip { get; set; }

    public IMembershipTransport TransportFor(SiloAddress from) => new Transport(this, from);

    public void Attach(MembershipAgent agent) => _agents[agent.Silo] = agent;

    /// <summary>The silo's process is gone: it answers nothing (connections hang until their timeout).</summary>
    public void Detach(SiloAddress silo) => _agents.TryRemove(silo, out _);

    /// <summary>Cuts every link to and from <paramref name="silo"/>; the table stays reachable.</summary>
    public void Isolate(SiloAddress silo)
    {
        foreach (var other in _agents.Keys)
        {
            Cut(silo, other);
        }
    }

    public void Cut(SiloAddress a, SiloAddress b)
    {
        _cut[(a, b)] = true;
        _cut[(b, a)] = true;
    }

    public void SetResponseDelay(SiloAddress silo, TimeSpan delay) => _delays[silo] = delay;

    /// <summary>Direct probes <paramref name="silo"/> has answered.</summary>
    public int ProbesAnswered(SiloAddress silo) => _answered.GetValueOrDefault(silo);

    /// <summary>Indirect probes of <paramref name="target"/> that an intermediary carried out.</summary>
    public int IndirectProbesOf(SiloAddress target) => _relayed.GetValueOrDefault(target);

    public void Dispose() => _wire.Dispose();

    private bool Reachable(SiloAddress from, SiloAddress to) =>
        _agents.ContainsKey(from) && _agents.ContainsKey(to) && !_cut.ContainsKey((from, to));

    private Task<bool> Probe(SiloAddress from, SiloAddress to, TimeSpan timeout)
    {
        // No RunContinuationsAsynchronously: like a transport read loop, the wire completes probes inline.
        var reply = new TaskCompletionSource<bool>();
        if (!Reachable(from, to))
        {
            var refused = RefuseWhenDetached && _agents.ContainsKey(from) && !_agents.ContainsKey(to) && !_cut.ContainsKey((from, to));
            _wire.At(refused ? TimeSpan.Zero : timeout, () => reply.TrySetResult(false));
            return reply.Task;
        }

        _wire.At(_delays.GetValueOrDefault(to), () =>
        {
            if (Reachable(from, to))
            {
                _answered.AddOrUpdate(to, 1, static (_, n) => n + 1);
                reply.TrySetResult(true);
            }
        });
        _wire.At(timeout, () => reply.TrySetResult(false));
        return reply.Task;
    }

    private Task<bool> ProbeIndirect(SiloAddress from, SiloAddress via, SiloAddress target, TimeSpan timeout)
    {
        if (!Reachable(from, via) || !_agents.TryGetValue(via, out var intermediary))
        {
            var reply = new TaskCompletionSource<bool>();
            _wire.At(timeout * 2, () => reply.TrySetResult(false));
            return reply.Task;
        }

        _relayed.AddOrUpdate(target, 1, static (_, n) => n + 1);
        return intermediary.HandleIndirectProbeAsync(target, timeout);
    }

    private void Gossip(SiloAddress from, SiloAddress to, long version)
    {
        if (!DropGossip && Reachable(from, to) && _agents.TryGetValue(to, out var agent))
        {
            agent.OnGossip(version);
        }
    }

    private sealed class Transport(FakeNetwork network, SiloAddress from) : IMembershipTransport
    {
        public Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken) =>
            network.Probe(from, target, timeout);

        public Task<bool> ProbeIndirectAsync(SiloAddress intermediary, SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken) =>
            network.ProbeIndirect(from, intermediary, target, timeout);

        public void Gossip(SiloAddress target, long tableVersion) => network.Gossip(from, target, tableVersion);
    }

    /// <summary>A dedicated thread that runs actions at their due time.</summary>
    private sealed class Wire : IDisposable
    {
        private readonly object _lock = new();
        private readonly PriorityQueue<Action, long> _due = new();
        private readonly Thread _thread;
        private bool _stopped;

        public Wire()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "fake-wire" };
            _thread.Start();
        }

        public void At(TimeSpan delay, Action action)
        {
            lock (_lock)
            {
                _due.Enqueue(action, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency));
                Monitor.PulseAll(_lock);
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _stopped = true;
                Monitor.PulseAll(_lock);
            }

            _thread.Join();
        }

        private void Run()
        {
            while (true)
            {
                Action action;
                lock (_lock)
                {
                    while (true)
                    {
                        if (_stopped)
                        {
                            return;
                        }

                        if (_due.TryPeek(out var next, out var at))
                        {
                            var wait = at - Stopwatch.GetTimestamp();
                            if (wait <= 0)
                            {
                                _due.Dequeue();
                                action = next;
                                break;
                            }

                            Monitor.Wait(_lock, TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1));
                        }
                        else
                        {
                            Monitor.Wait(_lock);
                        }
                    }
                }

                action();
            }
        }
    }
}
