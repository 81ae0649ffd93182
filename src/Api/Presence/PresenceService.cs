using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WellWon.Api;

/// <summary>A user's announced status.</summary>
public enum PresenceStatus
{
    /// <summary>Not connected, or the heartbeat TTL lapsed.</summary>
    Offline = 0,

    /// <summary>Active.</summary>
    Online,

    /// <summary>Away from the keyboard.</summary>
    Idle,

    /// <summary>Do not disturb.</summary>
    Dnd,
}

/// <summary>What <see cref="IPresenceService.GetAsync"/> reports.</summary>
public sealed record PresenceSnapshot(PresenceStatus Status, DateTimeOffset? LastSeenAt);

/// <summary>
/// Ephemeral presence with a heartbeat TTL. The in-process implementation serves one API node (development and tests);
/// a Redis implementation (<c>presence:{user}</c> with a TTL plus the presence stream) replaces it for a scaled
/// deployment without touching the endpoints.
/// </summary>
public interface IPresenceService
{
    /// <summary>
    /// Records the user's status (any status other than offline is also a heartbeat) and returns the one it replaced
    /// (offline if the TTL had lapsed), read and written in one step so that exactly one caller sees a change.
    /// </summary>
    Task<PresenceSnapshot> SetAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken);

    /// <summary>The user's status: offline once the heartbeat TTL has lapsed.</summary>
    Task<PresenceSnapshot> GetAsync(Guid userId, CancellationToken cancellationToken);
}

/// <summary>Presence settings (section <c>WellWon:Presence</c>).</summary>
public sealed class PresenceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Presence";

    /// <summary>Default heartbeat TTL: a user not heard from for this long is offline.</summary>
    public static readonly TimeSpan DefaultHeartbeatTtl = TimeSpan.FromSeconds(90);

    /// <summary>How long a status lasts without a new heartbeat.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = DefaultHeartbeatTtl;
}

/// <summary>In-process <see cref="IPresenceService"/> on <see cref="TimeProvider"/>.</summary>
internal sealed class InMemoryPresenceService(TimeProvider time, IOptions<PresenceOptions> options) : IPresenceService
{
    private readonly ConcurrentDictionary<Guid, (PresenceStatus Status, DateTimeOffset SeenAt)> _entries = new();
    private readonly TimeSpan _ttl = options.Value.HeartbeatTtl;

    public Task<PresenceSnapshot> SetAsync(Guid userId, PresenceStatus status, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var previous = new PresenceSnapshot(PresenceStatus.Offline, null);
        _entries.AddOrUpdate(
            userId,
            _ => (status, now),
            (_, old) =>
            {
                previous = new PresenceSnapshot(now - old.SeenAt >= _ttl ? PresenceStatus.Offline : old.Status, old.SeenAt);
                return (status, now);
            });
        return Task.FromResult(previous);
    }

    public Task<PresenceSnapshot> GetAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(userId, out var entry))
        {
            return Task.FromResult(new PresenceSnapshot(PresenceStatus.Offline, null));
        }

        var lapsed = time.GetUtcNow() - entry.SeenAt >= _ttl;
        return Task.FromResult(new PresenceSnapshot(lapsed ? PresenceStatus.Offline : entry.Status, entry.SeenAt));
    }
}
