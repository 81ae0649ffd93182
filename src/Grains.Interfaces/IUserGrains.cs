using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>A user (key: user ID).</summary>
public interface IUserGrain : IGrainWithGuidKey
{
    /// <summary>The profile; <see cref="ChatNotFoundException"/> when no such user exists.</summary>
    [ReadOnly]
    Task<UserView> GetProfile();

    /// <summary>
    /// The channels the user is a current member of, newest activity first, each with the newest message the user may
    /// see and the unread count computed by the channel grain; <see cref="ChatNotFoundException"/> for an unknown user.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<UserChannelView>> GetChannels();

    /// <summary>
    /// The IDs of the channels in which the user has an open membership window, in no particular order; cheap (one store
    /// query, no channel calls). The channel grain stays the authority: a gateway confirms each with IsMember.
    /// </summary>
    [ReadOnly]
    [return: Immutable]
    Task<IReadOnlyList<Guid>> GetChannelIds();
}

/// <summary>Usernames (key: the lower-case username). Uniqueness is guaranteed by the user store, across silos.</summary>
public interface IUserRegistryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the user with a new ID unless the username is taken (then <see cref="RegisterUserStatus.UsernameTaken"/>,
    /// nothing stored). The command's username must equal the grain key; invalid username or display name ->
    /// <see cref="ChatValidationException"/>. Display name defaults to the username.
    /// </summary>
    Task<RegisterUserResult> Register(RegisterUserCommand command);

    /// <summary>The user ID and stored password hash for login, or null when no user has this username.</summary>
    [ReadOnly]
    Task<UserCredentials?> Lookup();
}
