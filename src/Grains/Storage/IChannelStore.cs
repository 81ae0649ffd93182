namespace WellWon.Grains.Storage;

/// <summary>Channels (PostgreSQL <c>chats</c>).</summary>
public interface IChannelStore
{
    /// <summary>
    /// Stores a new channel; false (and the existing channel kept) when the ID exists, e.g. when both users of a
    /// direct channel create it at once: the loser reads the winner's row.
    /// </summary>
    Task<bool> CreateAsync(ChannelRecord channel, CancellationToken cancellationToken);

    /// <summary>A channel by ID, or null.</summary>
    Task<ChannelRecord?> GetAsync(Guid channelId, CancellationToken cancellationToken);
}
