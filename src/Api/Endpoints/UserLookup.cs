using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api;

/// <summary>Answers whether a user exists, through the user grain.</summary>
public sealed class UserLookup(IGrainFactory grains)
{
    /// <summary>True when the user is registered.</summary>
    public async Task<bool> ExistsAsync(Guid userId, CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IUserGrain>(userId).GetProfile().WaitAsync(cancellationToken);
            return true;
        }
        catch (ChatNotFoundException)
        {
            return false;
        }
    }
}
