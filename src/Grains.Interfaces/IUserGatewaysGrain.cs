using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>
/// The gateway nodes that hold sessions of one user (key: user ID). Ephemeral, like a subscription: each node
/// re-registers at an interval well inside <c>ChatOptions.GatewayRegistrationLifetime</c>, which also restores the entry
/// after this grain moved to another silo. A channel grain that adds the user asks here, and subscribes those nodes to
/// itself before it emits MEMBER_ADD, so a user added to a channel receives its events from that moment on, even on a
/// node that had no reason to follow the channel before.
/// </summary>
/// <remarks>This grain never calls other grains, so a channel grain can call it in the middle of its own turn.</remarks>
public interface IUserGatewaysGrain : IGrainWithGuidKey
{
    /// <summary>Registers (or renews) a gateway node of this user.</summary>
    [AlwaysInterleave]
    Task Register(IChannelObserver gateway);

    /// <summary>Removes a gateway node (idempotent): its last session of this user went away.</summary>
    [AlwaysInterleave]
    Task Unregister(IChannelObserver gateway);

    /// <summary>The registered gateway nodes whose registration has not lapsed.</summary>
    [AlwaysInterleave]
    [return: Immutable]
    Task<IReadOnlyList<IChannelObserver>> GetGateways();
}
