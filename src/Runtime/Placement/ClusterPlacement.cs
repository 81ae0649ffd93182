using WellWon.Runtime.Cluster;
using WellWon.Runtime.Membership;

namespace WellWon.Runtime.Placement;

/// <summary>
/// The placement ring of the newest membership view, swapped atomically as views arrive. Silos feed it
/// from <see cref="MembershipAgent.ViewChanged"/> (see <see cref="Follow"/>); the cluster client feeds it
/// whatever views it learns. Lock-free reads: <see cref="Owner"/> is a binary search on an immutable ring.
/// </summary>
public sealed class ClusterPlacement
{
    private readonly int _virtualNodesPerSilo;
    private readonly Lock _lock = new();
    private volatile Snapshot _current;

    /// <summary>Starts with an empty ring (nothing can be placed until a view with active silos arrives).</summary>
    public ClusterPlacement(int virtualNodesPerSilo = ConsistentHashRing.DefaultVirtualNodesPerSilo)
    {
        _virtualNodesPerSilo = virtualNodesPerSilo;
        _current = new Snapshot(MembershipView.Empty.Version, new ConsistentHashRing([], virtualNodesPerSilo));
    }

    /// <summary>The version of the view the current ring was built from.</summary>
    public long Version => _current.Version;

    /// <summary>The current ring.</summary>
    public ConsistentHashRing Ring => _current.Ring;

    /// <summary>The silo that owns <paramref name="grainId"/> in the current view.</summary>
    public SiloAddress Owner(GrainId grainId) => _current.Ring.Owner(grainId);

    /// <summary>
    /// Takes <paramref name="view"/> if it is newer than the current one; rebuilds the ring only when the active
    /// set changed. Returns true if the owners may have changed (callers then re-check their activations).
    /// </summary>
    public bool Update(MembershipView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        lock (_lock)
        {
            var current = _current;
            if (view.Version <= current.Version)
            {
                return false;
            }

            if (current.Ring.Silos.SequenceEqual(view.ActiveSilos.Distinct().Order()))
            {
                _current = current with { Version = view.Version };
                return false;
            }

            _current = new Snapshot(view.Version, new ConsistentHashRing(view.ActiveSilos, _virtualNodesPerSilo));
            return true;
        }
    }

    /// <summary>A placement that tracks <paramref name="agent"/>'s views from now on.</summary>
    public static ClusterPlacement Follow(MembershipAgent agent, int virtualNodesPerSilo = ConsistentHashRing.DefaultVirtualNodesPerSilo)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var placement = new ClusterPlacement(virtualNodesPerSilo);
        agent.ViewChanged += (_, view) => placement.Update(view);
        placement.Update(agent.CurrentView);
        return placement;
    }

    private sealed record Snapshot(long Version, ConsistentHashRing Ring);
}
