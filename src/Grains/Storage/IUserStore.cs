namespace WellWon.Grains.Storage;

/// <summary>User accounts (PostgreSQL <c>user_accounts</c>); usernames are unique (exact, ordinal match).</summary>
public interface IUserStore
{
    /// <summary>Stores a new user, or reports the conflict (taken username or ID) without storing anything.</summary>
    Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>A user by ID, or null.</summary>
    Task<UserRecord?> GetAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>A user by username (exact), or null.</summary>
    Task<UserRecord?> GetByUsernameAsync(string username, CancellationToken cancellationToken);
}
