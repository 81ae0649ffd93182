using System.Collections.Concurrent;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.Core;

/// <summary>The activations of one silo, at most one per grain ID.</summary>
internal sealed class Catalog(GrainRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<string, GrainClassDescriptor> _classes = new(StringComparer.Ordinal);
    private volatile bool _closed;

    public int Count => _activations.Count;

    public IEnumerable<ActivationData> Activations => _activations.Values;

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

    public void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

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
}
