namespace WellWon.Runtime;

/// <summary>
/// Tells when the set of active silos changed, so grains may now live elsewhere. Whoever keeps state in grains that
/// is not persisted (an observer subscription, say) re-establishes it: after a silo died, its grains come back empty
/// on a survivor with their next call. Registered by the clustering and the cluster client; absent on a single
/// development silo, where grains never move.
/// </summary>
public interface IPlacementChanges
{
    /// <summary>Raised after the placement ring changed (on a thread-pool thread; handlers must be quick).</summary>
    event EventHandler? Changed;
}

/// <summary>The runtime's <see cref="IPlacementChanges"/>.</summary>
internal sealed class PlacementChanges : IPlacementChanges
{
    public event EventHandler? Changed;

    public void Raise() => ThreadPool.UnsafeQueueUserWorkItem(static s => s.Changed?.Invoke(s, EventArgs.Empty), this, preferLocal: false);
}
