using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WellWon.Grains.Domain;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;
using WellWon.Runtime;

namespace WellWon.Grains;

/// <summary>
/// A channel: membership and visibility windows, the message write path, the hot window, coalesced history reads and
/// event fan-out. Writes run one at a time (the grain is not reentrant); [ReadOnly] reads interleave with each other.
/// </summary>
public sealed class ChannelGrain : Grain, IChannelGrain
{
    private readonly IChannelStore _channels;
    private readonly IMembershipStore _memberships;
    private readonly IMessageStore _messages;
    private readonly IBucketIndex _bucketIndex;
    private readonly IReactionStore _reactions;
    private readonly IPinStore _pins;
    private readonly IReadPositionStore _readPositions;
    private readonly IUserStore _users;
    private readonly ISnowflakeSource _snowflakes;
    private readonly ChatMetrics _metrics;
    private readonly ChatOptions _options;
    private readonly ILogger<ChannelGrain> _logger;
    private readonly MessageHistoryReader _reader;
    private readonly RequestCoalescer<HistoryKey, IReadOnlyList<MessageRecord>> _coalescer = new();
    private readonly Dictionary<Guid, Member> _members = [];
    private readonly Dictionary<Guid, long?> _readPositionCache = [];
    private readonly Dictionary<IChannelObserver, DateTimeOffset> _observers = [];
    private readonly SortedSet<int> _buckets = [];
    private readonly HotWindow _hot;
    private int[] _bucketSnapshot = [];
    private ChannelRecord? _channel;
    private long? _lastMessageId;
    private long _timeFloorMs = -1;
    private long _eventSequence;

    /// <summary>Creates the grain (the runtime does, with the ports from DI).</summary>
    public ChannelGrain(
        IChannelStore channels,
        IMembershipStore memberships,
        IMessageStore messages,
        IBucketIndex bucketIndex,
        IReactionStore reactions,
        IPinStore pins,
        IReadPositionStore readPositions,
        IUserStore users,
        ISnowflakeSource snowflakes,
        ChatMetrics metrics,
        IOptions<ChatOptions> options,
        ILogger<ChannelGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channels = channels;
        _memberships = memberships;
        _messages = messages;
        _bucketIndex = bucketIndex;
        _reactions = reactions;
        _pins = pins;
        _readPositions = readPositions;
        _users = users;
        _snowflakes = snowflakes;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _reader = new MessageHistoryReader(messages);
        _hot = new HotWindow(_options.HotWindowSize);
    }

    private Guid ChannelId => GetPrimaryKey();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _channel = await _channels.GetAsync(ChannelId, cancellationToken);
        if (_channel is null)
        {
            return;
        }

        await LoadAsync(cancellationToken);
    }

    // ---------------------------------------------------------------- channel and membership

    /// <inheritdoc />
    public async Task<ChannelView> Create(Guid actorId, CreateChannelCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var errors = new ValidationErrors();
        if (command.Type is not (ChatChannelType.Group or ChatChannelType.Public))
        {
            errors.Add("type", "Type must be 'group' or 'public'; direct channels are created with the other user's ID.");
        }

        errors.Merge(ChatValidation.ValidateChannelName(command.Name));
        errors.ThrowIfInvalid();
        if (_channel is not null)
        {
            throw new ChatConflictException($"Channel {ChannelId} already exists.");
        }

        var memberIds = (command.MemberIds ?? []).Where(id => id != actorId).Distinct().ToArray();
        foreach (var memberId in memberIds)
        {
            if (await _users.GetAsync(memberId, CancellationToken.None) is null)
            {
                throw ChatValidationException.For("memberIds", $"User {memberId} does not exist.");
            }
        }

        var createdAt = NextMembershipTime();
        var record = new ChannelRecord(ChannelId, (ChannelType)(int)command.Type, command.Name.Trim(), actorId, createdAt);
        if (!await _channels.CreateAsync(record, CancellationToken.None))
        {
            throw new ChatConflictException($"Channel {ChannelId} already exists.");
        }

        _channel = record;
        var opened = new List<(Guid UserId, Member Member)> { (actorId, await OpenWindowAsync(actorId, MemberRole.Owner, createdAt)) };
        foreach (var memberId in memberIds)
        {
            opened.Add((memberId, await OpenWindowAsync(memberId, MemberRole.Member, createdAt)));
        }

        _hot.Load([], complete: true);
        ChatLog.ChannelCreated(_logger, ChannelId, record.Type.ToApiName(), actorId);
        await AnnounceNewMembersAsync(opened);
        return record.ToView();
    }

    /// <inheritdoc />
    public async Task<CreateChannelResult> CreateDirect(Guid actorId, Guid otherUserId)
    {
        Guid expected;
        try
        {
            expected = ChannelIds.Direct(actorId, otherUserId);
        }
        catch (ArgumentException e)
        {
            throw ChatValidationException.For("userId", e.Message);
        }

        if (expected != ChannelId)
        {
            throw ChatValidationException.For("channelId", "This is not the direct channel of these two users.");
        }

        if (_channel is not null)
        {
            return new CreateChannelResult(_channel.ToView(), false);
        }

        if (await _users.GetAsync(otherUserId, CancellationToken.None) is null)
        {
            throw new ChatNotFoundException($"User {otherUserId} does not exist.");
        }

        var createdAt = NextMembershipTime();
        var record = new ChannelRecord(ChannelId, ChannelType.Direct, null, null, createdAt);
        if (!await _channels.CreateAsync(record, CancellationToken.None))
        {
            // Created elsewhere at the same moment (only while ownership moves): adopt the stored channel.
            _channel = await _channels.GetAsync(ChannelId, CancellationToken.None);
            await LoadAsync(CancellationToken.None);
            return new CreateChannelResult(_channel!.ToView(), false);
        }

        _channel = record;
        var opened = new List<(Guid UserId, Member Member)>
        {
            (actorId, await OpenWindowAsync(actorId, MemberRole.Member, createdAt)),
            (otherUserId, await OpenWindowAsync(otherUserId, MemberRole.Member, createdAt)),
        };
        _hot.Load([], complete: true);
        ChatLog.ChannelCreated(_logger, ChannelId, record.Type.ToApiName(), actorId);
        await AnnounceNewMembersAsync(opened);
        return new CreateChannelResult(record.ToView(), true);
    }

    /// <inheritdoc />
    public Task<ChannelView> Get(Guid actorId) => Task.FromResult(RequireReadableChannel(actorId).ToView());

    /// <inheritdoc />
    public Task<IReadOnlyList<MemberView>> GetMembers(Guid actorId)
    {
        RequireReadableChannel(actorId);
        IReadOnlyList<MemberView> members = _members
            .Where(m => m.Value.Windows.IsCurrentMember)
            .Select(m => m.Value.ToView(m.Key))
            .OrderBy(m => m.JoinedAt)
            .ThenBy(m => m.UserId)
            .ToArray();
        return Task.FromResult(members);
    }

    /// <inheritdoc />
    public async Task AddMember(Guid actorId, Guid userId)
    {
        var channel = RequireChannel();
        var actor = _members.GetValueOrDefault(actorId);
        var actorIsMember = actor is { Windows.IsCurrentMember: true };
        var selfJoinPublic = actorId == userId && channel.Type == ChannelType.Public;
        if (!actorIsMember && !selfJoinPublic)
        {
            throw NotFound();
        }

        if (channel.Type == ChannelType.Direct)
        {
            throw new ChatForbiddenException("Direct channels have exactly their two users.");
        }

        if (!selfJoinPublic && !actor!.Role.IsAdminOrOwner())
        {
            throw new ChatForbiddenException("Only the owner or an admin can add members.");
        }

        if (_members.TryGetValue(userId, out var existing) && existing.Windows.IsCurrentMember)
        {
            return;
        }

        if (userId != actorId && await _users.GetAsync(userId, CancellationToken.None) is null)
        {
            throw new ChatNotFoundException($"User {userId} does not exist.");
        }

        var role = channel.OwnerId == userId ? MemberRole.Owner : MemberRole.Member;
        var joinedAt = NextMembershipTime();
        var member = await OpenWindowAsync(userId, role, joinedAt);
        ChatLog.MemberAdded(_logger, ChannelId, actorId, userId);
        await AnnounceNewMembersAsync([(userId, member)]);
    }

    /// <inheritdoc />
    public async Task RemoveMember(Guid actorId, Guid userId)
    {
        var channel = RequireChannel();
        var actor = RequireMember(actorId);
        if (channel.Type == ChannelType.Direct)
        {
            throw new ChatForbiddenException("Nobody can leave or be removed from a direct channel.");
        }

        if (!_members.TryGetValue(userId, out var target) || !target.Windows.IsCurrentMember)
        {
            throw new ChatNotFoundException($"User {userId} is not a member of this channel.");
        }

        if (actorId != userId)
        {
            if (!actor.Role.IsAdminOrOwner())
            {
                throw new ChatForbiddenException("Only the owner or an admin can remove members.");
            }

            if (target.Role == MemberRole.Owner || (target.Role == MemberRole.Admin && actor.Role != MemberRole.Owner))
            {
                throw new ChatForbiddenException("The owner cannot be removed, and only the owner removes admins.");
            }
        }

        var leftAt = NextMembershipTime();
        if (!await _memberships.CloseWindowAsync(ChannelId, userId, leftAt, CancellationToken.None))
        {
            throw new ChatConflictException("The membership changed concurrently; retry.");
        }

        _members[userId] = target with { Windows = target.Windows.Leave(leftAt) };
        _readPositionCache.Remove(userId);
        ChatLog.MemberRemoved(_logger, ChannelId, actorId, userId);
        Publish(ChannelEventType.MemberRemove, userId: userId);
    }

    /// <inheritdoc />
    public Task<bool> IsMember(Guid userId) =>
        Task.FromResult(_channel is not null && _members.TryGetValue(userId, out var m) && m.Windows.IsCurrentMember);

    // ---------------------------------------------------------------- messages

    /// <inheritdoc />
    public async Task<SendMessageResult> Send(Guid actorId, SendMessageCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var member = RequireMember(actorId);
        var errors = ChatValidation.ValidateContent(command.Content).Merge(ChatValidation.ValidateNonce(command.Nonce));
        if (command.ReplyToId is { } replyTo && (replyTo < 0 || await FindVisibleAsync(member, replyTo) is null))
        {
            errors.Add("replyToId", "The replied-to message does not exist in this channel.");
        }

        errors.ThrowIfInvalid();
        var content = ChatValidation.NormalizeContent(command.Content);

        if (command.Nonce is { } nonce && await _messages.FindByNonceAsync(ChannelId, actorId, nonce, CancellationToken.None) is { } existingId)
        {
            var existing = await FindAsync(existingId);
            if (existing is not null)
            {
                return new SendMessageResult(existing.ToView(), false);
            }

            // The mapping was written but the row was not (a crash between the two writes): write the row now.
            ChatLog.NonceRepaired(_logger, ChannelId, existingId);
            var repaired = new MessageRecord(ChannelId, existingId, actorId, content, null, false, command.ReplyToId, nonce);
            await WriteNewMessageAsync(repaired);
            return new SendMessageResult(repaired.ToView(), true);
        }

        var id = _snowflakes.NextId(_timeFloorMs);
        var message = new MessageRecord(ChannelId, id, actorId, content, null, false, command.ReplyToId, command.Nonce);
        await WriteNewMessageAsync(message);
        _metrics.MessageSent();
        return new SendMessageResult(message.ToView(), true);
    }

    /// <inheritdoc />
    public async Task<MessageView> GetMessage(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        return (await RequireVisibleAsync(member, messageId)).ToView();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageView>> GetHistory(Guid actorId, HistoryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var member = RequireMember(actorId);
        var errors = ChatValidation.ValidateLimit(request.Limit, out var limit);
        var bounds = (request.Before is null ? 0 : 1) + (request.After is null ? 0 : 1) + (request.Around is null ? 0 : 1);
        if (bounds > 1)
        {
            errors.Add("before", "Use at most one of before, after and around.");
        }

        foreach (var (field, value) in new[] { ("before", request.Before), ("after", request.After), ("around", request.Around) })
        {
            if (value < 0)
            {
                errors.Add(field, "A message ID is a non-negative number.");
            }
        }

        errors.ThrowIfInvalid();
        var page = await ReadHistoryAsync(member, new HistoryQuery(limit, request.Before, request.After, request.Around));
        var views = new MessageView[page.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = page[i].ToView();
        }

        return views;
    }

    /// <inheritdoc />
    public async Task<MessageView> Edit(Guid actorId, long messageId, string content)
    {
        var member = RequireMember(actorId);
        var message = await RequireVisibleAsync(member, messageId);
        if (message.AuthorId != actorId)
        {
            throw new ChatForbiddenException("Only the author can edit a message.");
        }

        if (message.Deleted)
        {
            throw new ChatConflictException("A deleted message cannot be edited.");
        }

        ChatValidation.ValidateContent(content).ThrowIfInvalid();
        var editedAt = TimeProvider.GetUtcNow();
        var edited = message with { Content = ChatValidation.NormalizeContent(content), EditedAt = editedAt };
        if (!await _messages.UpdateContentAsync(ChannelId, messageId, edited.Content, editedAt, CancellationToken.None))
        {
            throw NotFound();
        }

        _hot.Replace(edited);
        var view = edited.ToView();
        Publish(ChannelEventType.MessageUpdate, message: view, messageId: messageId, userId: actorId);
        return view;
    }

    /// <inheritdoc />
    public async Task Delete(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        var message = await RequireVisibleAsync(member, messageId);
        if (message.AuthorId != actorId && !member.Role.IsAdminOrOwner())
        {
            throw new ChatForbiddenException("Only the author, the owner or an admin can delete a message.");
        }

        if (message.Deleted)
        {
            return;
        }

        if (!await _messages.SoftDeleteAsync(ChannelId, messageId, ChatMapping.DeletedPlaceholder, CancellationToken.None))
        {
            throw NotFound();
        }

        var deleted = message with { Content = ChatMapping.DeletedPlaceholder, Deleted = true };
        _hot.Replace(deleted);
        Publish(ChannelEventType.MessageDelete, message: deleted.ToView(), messageId: messageId, userId: actorId);
    }

    // ---------------------------------------------------------------- reactions and pins

    /// <inheritdoc />
    public async Task AddReaction(Guid actorId, long messageId, string emoji)
    {
        var member = RequireMember(actorId);
        ValidateEmoji(emoji);
        var message = await RequireVisibleAsync(member, messageId);
        if (message.Deleted)
        {
            throw new ChatConflictException("A deleted message cannot get reactions.");
        }

        if (await _reactions.AddAsync(ChannelId, messageId, emoji, actorId, CancellationToken.None))
        {
            Publish(ChannelEventType.ReactionAdd, messageId: messageId, userId: actorId, emoji: emoji);
        }
    }

    /// <inheritdoc />
    public async Task RemoveReaction(Guid actorId, long messageId, string emoji)
    {
        var member = RequireMember(actorId);
        ValidateEmoji(emoji);
        await RequireVisibleAsync(member, messageId);
        if (await _reactions.RemoveAsync(ChannelId, messageId, emoji, actorId, CancellationToken.None))
        {
            Publish(ChannelEventType.ReactionRemove, messageId: messageId, userId: actorId, emoji: emoji);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReactionView>> GetReactions(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        await RequireVisibleAsync(member, messageId);
        var counts = await _reactions.GetCountsAsync(ChannelId, messageId, actorId, CancellationToken.None);
        return counts.Select(c => new ReactionView(c.Emoji, c.Count, c.Me)).ToArray();
    }

    /// <inheritdoc />
    public async Task Pin(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        var message = await RequireVisibleAsync(member, messageId);
        if (message.Deleted)
        {
            throw new ChatConflictException("A deleted message cannot be pinned.");
        }

        var pin = new PinRecord(ChannelId, messageId, TimeProvider.GetUtcNow(), actorId);
        if (await _pins.PinAsync(pin, CancellationToken.None))
        {
            Publish(ChannelEventType.PinAdd, messageId: messageId, userId: actorId, pin: new PinView(message.ToView(), pin.PinnedAt, actorId));
        }
    }

    /// <inheritdoc />
    public async Task Unpin(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        await RequireVisibleAsync(member, messageId);
        if (await _pins.UnpinAsync(ChannelId, messageId, CancellationToken.None))
        {
            Publish(ChannelEventType.PinRemove, messageId: messageId, userId: actorId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PinView>> GetPins(Guid actorId)
    {
        var member = RequireMember(actorId);
        var pins = await _pins.ListAsync(ChannelId, CancellationToken.None);
        var result = new List<PinView>(pins.Count);
        foreach (var pin in pins)
        {
            if (member.Windows.CanSee(pin.MessageId) && await FindAsync(pin.MessageId) is { } message)
            {
                result.Add(new PinView(message.ToView(), pin.PinnedAt, pin.PinnedBy));
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- read positions

    /// <inheritdoc />
    public async Task<ReadStateView> MarkRead(Guid actorId, long messageId)
    {
        var member = RequireMember(actorId);
        await RequireVisibleAsync(member, messageId);
        var before = await GetReadPositionAsync(actorId);
        var position = await _readPositions.AdvanceAsync(ChannelId, actorId, messageId, CancellationToken.None);
        _readPositionCache[actorId] = position;
        if (before is null || position > before)
        {
            Publish(ChannelEventType.ReadUpdate, userId: actorId, lastReadMessageId: position);
        }

        return new ReadStateView(position, await CountUnreadAsync(actorId, member, position));
    }

    /// <inheritdoc />
    public async Task<ReadStateView> GetReadState(Guid actorId)
    {
        var member = RequireMember(actorId);
        var position = await GetReadPositionAsync(actorId);
        return new ReadStateView(position, await CountUnreadAsync(actorId, member, position ?? -1));
    }

    /// <inheritdoc />
    public async Task<UserChannelView?> GetSummary(Guid userId)
    {
        if (_channel is null || !_members.TryGetValue(userId, out var member) || !member.Windows.IsCurrentMember)
        {
            return null;
        }

        var last = _lastMessageId is { } id && member.Windows.CanSee(id)
            ? id
            : (await ReadHistoryAsync(member, new HistoryQuery(1))).FirstOrDefault()?.MessageId;
        var position = await GetReadPositionAsync(userId);
        return new UserChannelView(_channel.ToView(), last, await CountUnreadAsync(userId, member, position ?? -1));
    }

    // ---------------------------------------------------------------- observers

    /// <inheritdoc />
    public Task Subscribe(IChannelObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers[observer] = TimeProvider.GetUtcNow() + _options.SubscriptionLifetime;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task Unsubscribe(IChannelObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- internals

    /// <summary>
    /// Subscribes the gateway nodes that hold sessions of the new members (so they follow this channel from now on,
    /// even if no other local user is a member), then emits MEMBER_ADD for each. Asking for the nodes is best effort:
    /// the membership is already stored, and a node that is missed learns of the channel when its user reconnects.
    /// </summary>
    private async Task AnnounceNewMembersAsync(IReadOnlyList<(Guid UserId, Member Member)> added)
    {
        var lookups = added.Select(a => GrainFactory.GetGrain<IUserGatewaysGrain>(a.UserId).GetGateways()).ToArray();
        try
        {
            await Task.WhenAll(lookups);
        }
#pragma warning disable CA1031 // The write succeeded; a lookup failure must not fail it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ChatLog.GatewayLookupFailed(_logger, e, ChannelId);
        }

        var expiresAt = TimeProvider.GetUtcNow() + _options.SubscriptionLifetime;
        foreach (var lookup in lookups.Where(l => l.IsCompletedSuccessfully))
        {
            foreach (var gateway in lookup.Result)
            {
                _observers[gateway] = expiresAt;
            }
        }

        foreach (var (userId, member) in added)
        {
            Publish(ChannelEventType.MemberAdd, userId: userId, member: member.ToView(userId));
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _members.Clear();
        foreach (var record in await _memberships.ListMembersAsync(ChannelId, cancellationToken))
        {
            var windows = MembershipWindows.From(record.Windows);
            _members[record.UserId] = new Member(record.Role, windows);
            foreach (var window in windows.Windows)
            {
                _timeFloorMs = Math.Max(_timeFloorMs, CeilingMs(window.LeftAt ?? window.JoinedAt));
            }
        }

        _buckets.Clear();
        _buckets.UnionWith(await _bucketIndex.GetAsync(ChannelId, cancellationToken));
        _bucketSnapshot = [.. _buckets];

        // The newest messages seed the hot window and tell the newest ID (one query per non-empty bucket visited).
        var want = Math.Max(_options.HotWindowSize, 1);
        var newest = _bucketSnapshot.Length == 0
            ? []
            : await _reader.ReadAsync(ChannelId, _bucketSnapshot, new HistoryQuery(want), null, cancellationToken);
        _lastMessageId = newest.Count > 0 ? newest[0].MessageId : null;
        _hot.Load(newest, complete: newest.Count < want);
        ChatLog.ChannelActivated(_logger, ChannelId, _members.Count, _buckets.Count, _hot.Count);
    }

    private async Task<Member> OpenWindowAsync(Guid userId, MemberRole role, DateTimeOffset joinedAt)
    {
        if (!await _memberships.OpenWindowAsync(ChannelId, userId, role, joinedAt, CancellationToken.None))
        {
            throw new ChatConflictException("The membership changed concurrently; retry.");
        }

        var windows = _members.TryGetValue(userId, out var existing) ? existing.Windows : MembershipWindows.None;
        var member = new Member(role, windows.Join(joinedAt));
        _members[userId] = member;
        _readPositionCache.Remove(userId);
        return member;
    }

    /// <summary>
    /// The time of a membership change: now, but never before an existing message or an earlier change (whole
    /// milliseconds, as message times are), so the windows agree with message IDs even after a clock step back.
    /// Later message IDs are issued at or after it.
    /// </summary>
    private DateTimeOffset NextMembershipTime()
    {
        var ms = Math.Max(Snowflake.ToTimestamp(TimeProvider.GetUtcNow()), _timeFloorMs);
        if (_lastMessageId is { } last)
        {
            ms = Math.Max(ms, Snowflake.GetTimestamp(last) + 1);
        }

        ms = Math.Max(ms, 0);
        _timeFloorMs = ms;
        return Snowflake.Epoch.AddMilliseconds(ms);
    }

    private static long CeilingMs(DateTimeOffset time) => Snowflake.GetTimestamp(Snowflake.MinId(time));

    private async Task WriteNewMessageAsync(MessageRecord message)
    {
        var bucket = message.Bucket;
        if (!_buckets.Contains(bucket))
        {
            await _bucketIndex.AddAsync(ChannelId, bucket, CancellationToken.None);
            _buckets.Add(bucket);
            _bucketSnapshot = [.. _buckets];
        }

        await _messages.InsertAsync(message, CancellationToken.None);
        _hot.Put(message);
        if (_lastMessageId is not { } last || message.MessageId > last)
        {
            _lastMessageId = message.MessageId;
        }

        var position = await _readPositions.AdvanceAsync(ChannelId, message.AuthorId, message.MessageId, CancellationToken.None);
        _readPositionCache[message.AuthorId] = position;
        Publish(ChannelEventType.MessageCreate, message: message.ToView(), messageId: message.MessageId, userId: message.AuthorId);
    }

    private async Task<IReadOnlyList<MessageRecord>> ReadHistoryAsync(Member member, HistoryQuery query)
    {
        _metrics.HistoryRequest();

        // A member since the channel's creation sees everything (every message ID is issued at or after the creation
        // time, see NextMembershipTime), so all such readers share one key and one coalesced read.
        var visibility = member.Windows;
        MembershipWindows? effective = visibility;
        if (visibility.Windows.Length == 1 && visibility.IsCurrentMember && visibility.Windows[0].JoinedAt <= _channel!.CreatedAt)
        {
            effective = null;
        }

        if (_hot.TryRead(query, effective) is { } hot)
        {
            _metrics.HotWindowHit();
            return hot;
        }

        var buckets = _bucketSnapshot;
        if (!_options.CoalesceReads)
        {
            _metrics.StoreRead();
            return await _reader.ReadAsync(ChannelId, buckets, query, effective, CancellationToken.None);
        }

        return await _coalescer.RunAsync(
            new HistoryKey(query, effective),
            key =>
            {
                _metrics.StoreRead();
                return _reader.ReadAsync(ChannelId, buckets, key.Query, key.Visibility, CancellationToken.None);
            });
    }

    private async Task<int> CountUnreadAsync(Guid userId, Member member, long position)
    {
        var limit = _options.UnreadCountLimit;
        if (_hot.TryCountUnread(userId, position, member.Windows, limit) is { } counted)
        {
            return counted;
        }

        // Beyond the hot window: walk forward through what the member may see, bounded by the limit.
        var count = 0;
        var cursor = position;
        while (count < limit)
        {
            var page = await _reader.ReadAsync(ChannelId, _bucketSnapshot, new HistoryQuery(ChatValidation.MaxLimit, After: cursor), member.Windows, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            count += page.Count(m => m.AuthorId != userId && !m.Deleted);
            cursor = page[0].MessageId;
            if (page.Count < ChatValidation.MaxLimit)
            {
                break;
            }
        }

        return Math.Min(count, limit);
    }

    private async Task<long?> GetReadPositionAsync(Guid userId)
    {
        if (_readPositionCache.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        var position = await _readPositions.GetAsync(ChannelId, userId, CancellationToken.None);
        _readPositionCache[userId] = position;
        return position;
    }

    private async Task<MessageRecord?> FindAsync(long messageId)
    {
        if (messageId < 0)
        {
            return null;
        }

        return _hot.TryGet(messageId, out var hot) ? hot : await _messages.GetAsync(ChannelId, messageId, CancellationToken.None);
    }

    private async Task<MessageRecord?> FindVisibleAsync(Member member, long messageId) =>
        messageId >= 0 && member.Windows.CanSee(messageId) ? await FindAsync(messageId) : null;

    private async Task<MessageRecord> RequireVisibleAsync(Member member, long messageId) =>
        await FindVisibleAsync(member, messageId) ?? throw new ChatNotFoundException($"Message {messageId} does not exist in this channel.");

    private ChannelRecord RequireChannel() => _channel ?? throw NotFound();

    private ChannelRecord RequireReadableChannel(Guid actorId)
    {
        var channel = RequireChannel();
        if (channel.Type != ChannelType.Public && !(_members.TryGetValue(actorId, out var m) && m.Windows.IsCurrentMember))
        {
            throw NotFound();
        }

        return channel;
    }

    private Member RequireMember(Guid actorId)
    {
        RequireChannel();
        return _members.TryGetValue(actorId, out var member) && member.Windows.IsCurrentMember ? member : throw NotFound();
    }

    private ChatNotFoundException NotFound() => new($"Channel {ChannelId} does not exist or is not visible to the caller.");

    private static void ValidateEmoji(string emoji)
    {
        if (string.IsNullOrWhiteSpace(emoji) || emoji.Length > 64 || emoji.Any(char.IsWhiteSpace))
        {
            throw ChatValidationException.For("emoji", "Emoji must be 1 to 64 characters without spaces.");
        }
    }

    private void Publish(
        ChannelEventType type,
        MessageView? message = null,
        long? messageId = null,
        Guid? userId = null,
        string? emoji = null,
        MemberView? member = null,
        long? lastReadMessageId = null,
        PinView? pin = null)
    {
        _eventSequence++;
        if (_observers.Count == 0)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow();
        var channelEvent = new ChannelEvent(type, ChannelId, now, _eventSequence, message, messageId, userId, emoji, member, lastReadMessageId, pin);
        List<IChannelObserver>? expired = null;
        foreach (var (observer, expiresAt) in _observers)
        {
            if (expiresAt <= now)
            {
                (expired ??= []).Add(observer);
                continue;
            }

            Deliver(observer, channelEvent);
        }

        foreach (var observer in expired ?? [])
        {
            _observers.Remove(observer);
        }
    }

    private void Deliver(IChannelObserver observer, ChannelEvent channelEvent)
    {
        Task delivery;
        try
        {
            delivery = observer.OnChannelEvent(channelEvent);
        }
#pragma warning disable CA1031 // A failing subscriber must never fail the write that produced the event.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ChatLog.ObserverFailed(_logger, e, ChannelId, observer.ToString() ?? string.Empty);
            return;
        }

        if (!delivery.IsCompletedSuccessfully)
        {
            var logger = _logger;
            var channelId = ChannelId;
            _ = delivery.ContinueWith(
                t => ChatLog.ObserverFailed(logger, t.Exception!, channelId, observer.ToString() ?? string.Empty),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed record Member(MemberRole Role, MembershipWindows Windows)
    {
        public MemberView ToView(Guid userId) => new(userId, Role.ToView(), Windows.CurrentJoinedAt ?? default);
    }

    private readonly record struct HistoryKey(HistoryQuery Query, MembershipWindows? Visibility);
}
