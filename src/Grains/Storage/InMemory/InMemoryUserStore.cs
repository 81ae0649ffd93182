using System.Runtime.CompilerServices;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IUserStore"/> for development and tests. Thread-safe.</summary>
public sealed class InMemoryUserStore(InMemoryStoreMetrics? metrics = null) : IUserStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, UserRecord> _byId = [];
    private readonly Dictionary<string, Guid> _idByUsername = new(StringComparer.Ordinal);

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_idByUsername.ContainsKey(user.Username))
            {
                return CreateUserResult.UsernameTaken;
            }

            if (!_byId.TryAdd(user.Id, user))
            {
                return CreateUserResult.IdTaken;
            }

            _idByUsername[user.Username] = user.Id;
            return CreateUserResult.Created;
        }
    }

    /// <inheritdoc />
    public async Task<UserRecord?> GetAsync(Guid userId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _byId.GetValueOrDefault(userId);
        }
    }

    /// <inheritdoc />
    public async Task<UserRecord?> GetByUsernameAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _idByUsername.TryGetValue(username, out var id) ? _byId[id] : null;
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IUserStore), operation, cancellationToken);
}
