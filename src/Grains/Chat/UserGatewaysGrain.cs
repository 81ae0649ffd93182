using Microsoft.Extensions.Options;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Grains;

/// <summary>Which gateway nodes hold sessions of a user; in memory only, renewed by the nodes.</summary>
public sealed class UserGatewaysGrain(IOptions<ChatOptions> options) : Grain, IUserGatewaysGrain
{
    private readonly Dictionary<IChannelObserver, DateTimeOffset> _gateways = [];
    private readonly TimeSpan _lifetime = options.Value.GatewayRegistrationLifetime;

    /// <inheritdoc />
    public Task Register(IChannelObserver gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _gateways[gateway] = TimeProvider.GetUtcNow() + _lifetime;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task Unregister(IChannelObserver gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _gateways.Remove(gateway);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<IChannelObserver>> GetGateways()
    {
        var now = TimeProvider.GetUtcNow();
        List<IChannelObserver>? lapsed = null;
        var live = new List<IChannelObserver>(_gateways.Count);
        foreach (var (gateway, expiresAt) in _gateways)
        {
            if (expiresAt <= now)
            {
                (lapsed ??= []).Add(gateway);
            }
            else
            {
                live.Add(gateway);
            }
        }

        foreach (var gateway in lapsed ?? [])
        {
            _gateways.Remove(gateway);
        }

        return Task.FromResult<IReadOnlyList<IChannelObserver>>(live);
    }
}
