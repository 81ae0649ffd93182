namespace WellWon.Api.Realtime;

/// <summary>A user started typing in a channel; the indicator lapses at <see cref="ExpiresAt"/>.</summary>
public sealed record TypingEvent(Guid ChannelId, Guid UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// A user's presence changed. <see cref="ChannelIds"/> are the user's channels when the change was published: each gateway
/// node delivers the update to its local members of those channels, so no node needs anyone else's channel list.
/// </summary>
public sealed record PresenceEvent(Guid UserId, PresenceStatus Status, DateTimeOffset? LastSeenAt, IReadOnlyList<Guid> ChannelIds);

/// <summary>Receives what <see cref="IRealtimeBus"/> carries (a gateway node). Handlers must be quick and never throw.</summary>
public interface IRealtimeListener
{
    /// <summary>Someone started typing.</summary>
    void OnTyping(TypingEvent typing);

    /// <summary>Someone's presence changed.</summary>
    void OnPresence(PresenceEvent presence);
}

/// <summary>
/// The port for ephemeral real-time state that is not worth a grain call per keystroke: typing (state
/// <c>typing:{channel}:{user}</c> with a 10 s expiry) and presence changes, fanned out to every gateway node. The
/// in-process implementation serves one API node (development and tests); the Redis implementation (a key with a TTL
/// plus the typing and presence streams every node reads) replaces it for a scaled deployment. Callers have already
/// checked membership.
/// </summary>
public interface IRealtimeBus
{
    /// <summary>
    /// Records that the user is typing in the channel for the typing TTL and publishes a <see cref="TypingEvent"/>, unless
    /// the same user's announcement in that channel is still fresh (less than half the TTL old), which only keeps the
    /// state alive. Returns whether an event was published.
    /// </summary>
    ValueTask<bool> StartTypingAsync(Guid channelId, Guid userId, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the user's typing state in the channel (they sent their message; clients drop the indicator when it
    /// arrives), so their next keystroke is announced again at once. No event.
    /// </summary>
    ValueTask StopTypingAsync(Guid channelId, Guid userId, CancellationToken cancellationToken);

    /// <summary>The users whose typing state in the channel has not expired.</summary>
    ValueTask<IReadOnlyList<Guid>> GetTypingAsync(Guid channelId, CancellationToken cancellationToken);

    /// <summary>Publishes a presence change to every node.</summary>
    ValueTask PublishPresenceAsync(PresenceEvent presence, CancellationToken cancellationToken);

    /// <summary>Adds a listener until the returned handle is disposed.</summary>
    IDisposable Subscribe(IRealtimeListener listener);
}

/// <summary>Typing settings (section <c>WellWon:Typing</c>).</summary>
public sealed class TypingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Typing";

    /// <summary>How long a typing indicator lasts (the contract says 10 s).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(10);
}
