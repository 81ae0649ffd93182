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

    /// <summary>Marks the user online unless they chose another non-offline status (which is kept and refreshed).</summary>
    public async Task ConnectAsync(Guid userId, CancellationToken cancellationToken)
    {
        var before = await presence.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        var status = before.Status == PresenceStatus.Offline ? PresenceStatus.Online : before.Status;
        before = await presence.SetAsync(userId, status, cancellationToken).ConfigureAwait(false);
        if (before.Status != status)
        {
            await AnnounceAsync(userId, status, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Refreshes the heartbeat TTL of the current status (an event only if it had lapsed).</summary>
    public async Task HeartbeatAsync(Guid userId, CancellationToken cancellationToken)
    {
        var current = await presence.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        var status = current.Status == PresenceStatus.Offline ? PresenceStatus.Online : current.Status;
        var before = await presence.SetAsync(userId, status, cancellationToken).ConfigureAwait(false);
        if (before.Status != status)
        {
            await AnnounceAsync(userId, status, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AnnounceAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken)
    {
        var channels = await grains.GetGrain<IUserGrain>(userId).GetChannelIds().WaitAsync(cancellationToken).ConfigureAwait(false);
        await bus.PublishPresenceAsync(new PresenceEvent(userId, status, time.GetUtcNow(), channels), cancellationToken).ConfigureAwait(false);
    }
}
