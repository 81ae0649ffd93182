using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IChannelStore"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryChannelStore(InMemoryStoreMetrics? metrics = null) : IChannelStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ChannelRecord> _channels = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<bool> CreateAsync(ChannelRecord channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _channels.TryAdd(channel.Id, channel);
        }
    }

    /// <inheritdoc />
    public async Task<ChannelRecord?> GetAsync(Guid channelId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _channels.GetValueOrDefault(channelId);
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IChannelStore), operation, cancellationToken);
}
