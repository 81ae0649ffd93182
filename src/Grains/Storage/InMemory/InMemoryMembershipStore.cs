using System.Runtime.CompilerServices;
using WellWon.Grains.Domain;

namespace WellWon.Grains.Storage.InMemory;

/// <summary>In-memory <see cref="IMembershipStore"/> for development and tests. Thread-safe.</summary>
/// <remarks>
/// Windows live in private lists; every record handed out carries its own array copy, so neither a caller's list nor a
/// returned one is ever shared with the store.
/// </remarks>
public sealed class InMemoryMembershipStore(InMemoryStoreMetrics? metrics = null) : IMembershipStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<Guid, Member>> _byChannel = [];
    private readonly Dictionary<Guid, HashSet<Guid>> _openChannelsByUser = [];

    /// <summary>The query counters of this store.</summary>
    public InMemoryStoreMetrics Metrics { get; } = metrics ?? new InMemoryStoreMetrics();

    /// <inheritdoc />
    public async Task<bool> OpenWindowAsync(Guid channelId, Guid userId, MemberRole role, DateTimeOffset joinedAt, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_byChannel.TryGetValue(channelId, out var members))
            {
                _byChannel[channelId] = members = [];
            }

            if (!members.TryGetValue(userId, out var member))
            {
                members[userId] = member = new Member();
            }
            else if (member.Windows is [.., { IsOpen: true }])
            {
                return false;
            }

            member.Role = role;
            member.Windows.Add(new MembershipWindow(joinedAt));
            if (!_openChannelsByUser.TryGetValue(userId, out var open))
            {
                _openChannelsByUser[userId] = open = [];
            }

            open.Add(channelId);
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<bool> CloseWindowAsync(Guid channelId, Guid userId, DateTimeOffset leftAt, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (FindMember(channelId, userId) is not { Windows: [.., { IsOpen: true } current] } member)
            {
                return false;
            }

            member.Windows[^1] = new MembershipWindow(current.JoinedAt, leftAt);
            _openChannelsByUser[userId].Remove(channelId);
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<bool> SetRoleAsync(Guid channelId, Guid userId, MemberRole role, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (FindMember(channelId, userId) is not { } member)
            {
                return false;
            }

            member.Role = role;
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<MemberRecord?> GetAsync(Guid channelId, Guid userId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return FindMember(channelId, userId)?.ToRecord(channelId, userId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemberRecord>> ListMembersAsync(Guid channelId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _byChannel.TryGetValue(channelId, out var members)
                ? members.Select(m => m.Value.ToRecord(channelId, m.Key)).ToArray()
                : [];
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> ListChannelsOfUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _openChannelsByUser.TryGetValue(userId, out var open) ? open.ToArray() : [];
        }
    }

    private Member? FindMember(Guid channelId, Guid userId) =>
        _byChannel.TryGetValue(channelId, out var members) ? members.GetValueOrDefault(userId) : null;

    private ValueTask EnterAsync(CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Metrics.EnterAsync(nameof(IMembershipStore), operation, cancellationToken);

    private sealed class Member
    {
        public MemberRole Role { get; set; }

        public List<MembershipWindow> Windows { get; } = [];

        public MemberRecord ToRecord(Guid channelId, Guid userId) => new(channelId, userId, Role, Windows.ToArray());
    }
}
