using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api.Realtime;

/// <summary>
/// Sets presence and, when the visible status changes, publishes a <see cref="PresenceEvent"/> with the user's channels
/// (one cheap user-grain call per change, never per heartbeat). Used by PUT /api/users/@me/presence and the gateway.
/// </summary>
public sealed class PresenceBroadcaster(IPresenceService presence, IRealtimeBus bus, IGrainFactory grains, TimeProvider time)
{
    /// <summary>Records the status (also a heartbeat) and announces a change.</summary>
    public async Task SetAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken)
    {
        var before = await presence.SetAsync(userId, status, cancellationToken).ConfigureAwait(false);
        if (before.Status != status)
        {
            await AnnounceAsync(userId, status, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A connection or gateway heartbeat: marks the user online unless they chose another non-offline status, which is
    /// kept and refreshed; announces only if that changed the status (first connection, or a lapsed TTL).
    /// </summary>
    public async Task KeepAliveAsync(Guid userId, CancellationToken cancellationToken)
    {
        var current = await presence.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        await SetAsync(userId, current.Status == PresenceStatus.Offline ? PresenceStatus.Online : current.Status, cancellationToken).ConfigureAwait(false);
    }

    private async Task AnnounceAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken)
    {
        var channels = await grains.GetGrain<IUserGrain>(userId).GetChannelIds().WaitAsync(cancellationToken).ConfigureAwait(false);
        await bus.PublishPresenceAsync(new PresenceEvent(userId, status, time.GetUtcNow(), channels), cancellationToken).ConfigureAwait(false);
    }
}
