namespace WellWon.Grains.Storage;

/// <summary>Pinned messages per channel (ScyllaDB <c>pinned_messages</c>).</summary>
public interface IPinStore
{
    /// <summary>Pins a message; false (and the original pin kept) when it is already pinned.</summary>
    Task<bool> PinAsync(PinRecord pin, CancellationToken cancellationToken);

    /// <summary>Unpins a message; false when it was not pinned.</summary>
    Task<bool> UnpinAsync(Guid channelId, long messageId, CancellationToken cancellationToken);

    /// <summary>The channel's pins, newest pin first (equal pin times: higher message ID first).</summary>
    Task<IReadOnlyList<PinRecord>> ListAsync(Guid channelId, CancellationToken cancellationToken);
}
