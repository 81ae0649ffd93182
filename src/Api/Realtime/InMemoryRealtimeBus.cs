using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WellWon.Api.Realtime;

/// <summary>
/// <see cref="IRealtimeBus"/> inside one process: typing state in a dictionary with expiry on <see cref="TimeProvider"/>,
/// events handed to the listeners synchronously. Expired typing entries are removed when the channel is next touched.
/// </summary>
public sealed class InMemoryRealtimeBus(TimeProvider time, IOptions<TypingOptions> options) : IRealtimeBus
{
    private readonly ConcurrentDictionary<(Guid Channel, Guid User), (DateTimeOffset AnnouncedAt, DateTimeOffset ExpiresAt)> _typing = new();
    private readonly TimeSpan _ttl = options.Value.Ttl;
    private volatile IRealtimeListener[] _listeners = [];

    /// <inheritdoc />
    public ValueTask<bool> StartTypingAsync(Guid channelId, Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (channelId, userId);
        var publish = true;
        var entry = _typing.AddOrUpdate(
            key,
            _ => (now, now + _ttl),
            (_, old) =>
            {
                // Still fresh: keep the state alive without announcing again (the client shows it until ExpiresAt).
                publish = old.ExpiresAt <= now || now - old.AnnouncedAt >= _ttl / 2;
                return publish ? (now, now + _ttl) : (old.AnnouncedAt, now + _ttl);
            });
        if (!publish)
        {
            return ValueTask.FromResult(false);
        }

        var typing = new TypingEvent(channelId, userId, entry.ExpiresAt);
        foreach (var listener in _listeners)
        {
            listener.OnTyping(typing);
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public ValueTask StopTypingAsync(Guid channelId, Guid userId, CancellationToken cancellationToken)
    {
        _typing.TryRemove((channelId, userId), out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Guid>> GetTypingAsync(Guid channelId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var users = new List<Guid>();
        foreach (var (key, entry) in _typing)
        {
            if (key.Channel != channelId)
            {
                continue;
            }

            if (entry.ExpiresAt <= now)
            {
                _typing.TryRemove(new KeyValuePair<(Guid, Guid), (DateTimeOffset, DateTimeOffset)>(key, entry));
            }
            else
            {
                users.Add(key.User);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<Guid>>(users);
    }

    /// <inheritdoc />
    public ValueTask PublishPresenceAsync(PresenceEvent presence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presence);
        foreach (var listener in _listeners)
        {
            listener.OnPresence(presence);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Subscribe(IRealtimeListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_typing)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    private void Remove(IRealtimeListener listener)
    {
        lock (_typing)
        {
            _listeners = _listeners.Where(l => !ReferenceEquals(l, listener)).ToArray();
        }
    }

    private sealed class Subscription(InMemoryRealtimeBus bus, IRealtimeListener listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bus.Remove(listener);
            }
        }
    }
}
