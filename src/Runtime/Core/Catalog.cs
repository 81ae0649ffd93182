using System.Collections.Concurrent;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.Core;

/// <summary>The activations of one silo, at most one per grain ID.</summary>
internal sealed class Catalog(GrainRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<string, GrainClassDescriptor> _classes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<GrainId, WorkerPool> _workers = new();
    private volatile bool _closed;

    public int Count => _activations.Count + _workers.Values.Sum(p => p.Count);

    public IEnumerable<ActivationData> Activations => _activations.Values.Concat(_workers.Values.SelectMany(p => p.Snapshot()));

    /// <summary>Whether the grain type is served by a local stateless-worker pool (never routed by placement).</summary>
    public bool IsStatelessWorker(string grainType)
    {
        try
        {
            return (ResolveClass(grainType).Flags & GrainClassFlags.StatelessWorker) != 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The activation to run a request on: the grain's single activation, or for a [StatelessWorker] class the
    /// least loaded of a local pool that grows up to its limit while every worker is busy.
    /// </summary>
    public ActivationData GetForRequest(GrainId grainId)
    {
        var grainClass = ResolveClass(grainId.Type);
        if ((grainClass.Flags & GrainClassFlags.StatelessWorker) == 0)
        {
            return GetOrCreate(grainId);
        }

        if (_closed)
        {
            throw new InvalidOperationException($"The silo is shutting down; {grainId} cannot be activated here.");
        }

        var limit = grainClass.MaxLocalWorkers > 0 ? grainClass.MaxLocalWorkers : Environment.ProcessorCount;
        return _workers.GetOrAdd(grainId, static _ => new WorkerPool()).Pick(limit, () => new ActivationData(runtime, grainId, grainClass));
    }

    /// <summary>The activation of <paramref name="grainId"/>, created (not yet activated) if there is none.</summary>
    public ActivationData GetOrCreate(GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        if (_closed)
        {
            throw new InvalidOperationException($"The silo is shutting down; {grainId} cannot be activated here.");
        }

        var grainClass = ResolveClass(grainId.Type);

        // Losers of a concurrent first call discard an object whose constructor did nothing but assign fields:
        // activation itself starts only when the winning instance receives its first request.
        return _activations.GetOrAdd(grainId, static (id, s) => new ActivationData(s.runtime, id, s.grainClass), (runtime, grainClass));
    }

    public bool TryGet(GrainId grainId, out ActivationData activation) => _activations.TryGetValue(grainId, out activation!);

    public void Remove(ActivationData activation)
    {
        if (!_activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation))
            && _workers.TryGetValue(activation.GrainId, out var pool))
        {
            pool.Remove(activation);
        }
    }

    /// <summary>Refuses new activations (silo stopping).</summary>
    public void Close() => _closed = true;

    private GrainClassDescriptor ResolveClass(string grainType)
    {
        if (_classes.TryGetValue(grainType, out var d))
        {
            return d;
        }

        if (!TypeManifest.TryGetInterface(grainType, out var itf))
        {
            TypeManifest.RegisterLoadedAssemblies();
            if (!TypeManifest.TryGetInterface(grainType, out itf))
            {
                throw new InvalidOperationException($"Unknown grain type '{grainType}': no assembly with this grain interface is loaded in the silo.");
            }
        }

        if (!TypeManifest.TryGetGrainClass(itf.InterfaceType, out d))
        {
            throw new InvalidOperationException($"No grain class implementing {itf.InterfaceType} is registered in this silo.");
        }

        return _classes.GetOrAdd(grainType, d);
    }

    /// <summary>The local activations of one stateless-worker grain.</summary>
    private sealed class WorkerPool
    {
        private readonly List<ActivationData> _workers = [];

        public int Count
        {
            get
            {
                lock (_workers)
                {
                    return _workers.Count;
                }
            }
        }

        public ActivationData[] Snapshot()
        {
            lock (_workers)
            {
                return [.. _workers];
            }
        }

        public ActivationData Pick(int limit, Func<ActivationData> create)
        {
            lock (_workers)
            {
                ActivationData? best = null;
                var bestLoad = int.MaxValue;
                foreach (var worker in _workers)
                {
                    var load = worker.Load;
                    if (load < bestLoad)
                    {
                        best = worker;
                        bestLoad = load;
                    }
                }

                if (best is not null && (bestLoad == 0 || _workers.Count >= limit))
                {
                    return best;
                }

                var created = create();
                _workers.Add(created);
                return created;
            }
        }

        public void Remove(ActivationData activation)
        {
            lock (_workers)
            {
                _workers.Remove(activation);
            }
        }
    }
}
