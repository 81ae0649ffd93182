using Microsoft.Extensions.Logging;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;
using WellWon.Runtime;

namespace WellWon.Grains;

/// <summary>
/// One username (the grain key, lower case). Uniqueness comes from <see cref="IUserStore"/>, so it holds even when two
/// activations of the same key briefly coexist during a membership change.
/// </summary>
public sealed class UserRegistryGrain(IUserStore users, ILogger<UserRegistryGrain> logger) : Grain, IUserRegistryGrain
{
    /// <summary>Longest display name (API.md is silent; as long as a channel name).</summary>
    public const int MaxDisplayNameLength = ChatValidation.MaxChannelNameLength;

    /// <inheritdoc />
    public async Task<RegisterUserResult> Register(RegisterUserCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var errors = ChatValidation.ValidateUsername(command.Username);
        if (errors.IsValid && !string.Equals(command.Username, GetPrimaryKeyString(), StringComparison.Ordinal))
        {
            errors.Add("username", "The username does not match this registry entry (use the lower-case username as the key).");
        }

        if (command.DisplayName is { } displayName
            && (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().EnumerateRunes().Count() > MaxDisplayNameLength))
        {
            errors.Add("displayName", $"Display name must be 1 to {MaxDisplayNameLength} characters and not blank.");
        }

        if (string.IsNullOrEmpty(command.PasswordHash))
        {
            errors.Add("password", "A password hash is required.");
        }

        errors.ThrowIfInvalid();
        while (true)
        {
            var user = new UserRecord(
                Guid.CreateVersion7(TimeProvider.GetUtcNow()),
                command.Username,
                command.DisplayName?.Trim() ?? command.Username,
                command.PasswordHash,
                TimeProvider.GetUtcNow());
            switch (await users.CreateAsync(user, CancellationToken.None))
            {
                case CreateUserResult.Created:
                    ChatLog.UserRegistered(logger, user.Id, user.Username);
                    return new RegisterUserResult(RegisterUserStatus.Created, user.ToView());
                case CreateUserResult.UsernameTaken:
                    return new RegisterUserResult(RegisterUserStatus.UsernameTaken, null);
                default:
                    continue; // A random ID collided: draw another.
            }
        }
    }

    /// <inheritdoc />
    public async Task<UserCredentials?> Lookup()
    {
        var user = await users.GetByUsernameAsync(GetPrimaryKeyString(), CancellationToken.None);
        return user is null ? null : new UserCredentials(user.Id, user.Username, user.PasswordHash);
    }
}
