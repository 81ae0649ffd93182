using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IPinStore"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryPinStore(InMemoryStoreMetrics? metrics = null) : IPinStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<long, PinRecord>> _pins = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<bool> PinAsync(PinRecord pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_pins.TryGetValue(pin.ChannelId, out var channel))
            {
                _pins[pin.ChannelId] = channel = [];
            }

            return channel.TryAdd(pin.MessageId, pin);
        }
    }

    /// <inheritdoc />
    public async Task<bool> UnpinAsync(Guid channelId, long messageId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _pins.TryGetValue(channelId, out var channel) && channel.Remove(messageId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PinRecord>> ListAsync(Guid channelId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _pins.TryGetValue(channelId, out var channel)
                ? channel.Values.OrderByDescending(p => p.PinnedAt).ThenByDescending(p => p.MessageId).ToArray()
                : [];
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IPinStore), operation, cancellationToken);
}
