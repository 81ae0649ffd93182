using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;
using WellWon.Runtime;

namespace WellWon.Grains;

/// <summary>A user: profile and channel list. The profile is immutable after registration, so it is cached per activation.</summary>
public sealed class UserGrain(IUserStore users, IMembershipStore memberships) : Grain, IUserGrain
{
    private UserView? _profile;

    /// <inheritdoc />
    public async Task<UserView> GetProfile()
    {
        if (_profile is null)
        {
            var record = await users.GetAsync(GetPrimaryKey(), CancellationToken.None)
                ?? throw new ChatNotFoundException($"User {GetPrimaryKey()} does not exist.");
            _profile = record.ToView();
        }

        return _profile;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UserChannelView>> GetChannels()
    {
        var userId = (await GetProfile()).Id;
        var channelIds = await memberships.ListChannelsOfUserAsync(userId, CancellationToken.None);
        var summaries = await Task.WhenAll(channelIds.Select(id => GrainFactory.GetGrain<IChannelGrain>(id).GetSummary(userId)));
        return summaries
            .OfType<UserChannelView>()
            .OrderByDescending(s => s.LastMessageId ?? -1)
            .ThenByDescending(s => s.Channel.CreatedAt)
            .ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> GetChannelIds()
    {
        var userId = (await GetProfile()).Id;
        return await memberships.ListChannelsOfUserAsync(userId, CancellationToken.None);
    }
}
