using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WellWon.Api.Realtime;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Api.Gateway;

/// <summary>
/// This API node's side of the gateway: its sessions, which channels it follows and for whom. The node is one grain
/// observer: it subscribes to the channel grains of the channels its connected users belong to (renewing the
/// subscriptions) and registers itself with each connected user's <see cref="IUserGatewaysGrain"/>, so that a channel
/// grain adding one of those users subscribes the node before it emits MEMBER_ADD. Each event arrives once per node
/// and is encoded once; the node hands it to the sessions of the channel's local members. Observer calls arrive in the
/// order the channel sent them, so each session sees a channel's events in order.
/// </summary>
internal sealed partial class GatewayNode : IChannelObserver, IRealtimeListener, IHostedService, IAsyncDisposable
{
    private const int MaxPendingAnnouncements = 64;

    private readonly object _gate = new();
    private readonly Dictionary<Guid, UserEntry> _users = [];
    private readonly Dictionary<Guid, ChannelEntry> _channels = [];
    private readonly ConcurrentDictionary<string, GatewaySession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Task> _leaving = new();
    private readonly IGrainFactory _grains;
    private readonly IRealtimeBus _bus;
    private readonly PresenceBroadcaster _presence;
    private readonly GatewayOptions _options;
    private readonly TimeSpan _presenceRefresh;
    private readonly ILogger<GatewayNode> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private IChannelObserver? _self;
    private IDisposable? _busSubscription;
    private Timer? _sweep;
    private Timer? _renewal;
    private readonly IPlacementChanges? _placementChanges;
    private long _version;
    private int _renewalQueued;

    public GatewayNode(
        IGrainFactory grains,
        IRealtimeBus bus,
        PresenceBroadcaster presence,
        IOptions<GatewayOptions> options,
        IOptions<PresenceOptions> presenceOptions,
        ILogger<GatewayNode> logger,
        IEnumerable<IPlacementChanges>? placementChanges = null)
    {
        _placementChanges = placementChanges?.FirstOrDefault();
        _grains = grains;
        _bus = bus;
        _presence = presence;
        _options = options.Value;
        _presenceRefresh = presenceOptions.Value.HeartbeatTtl / 3;
        _logger = logger;
    }

    public GatewayOptions Options => _options;

    internal GatewaySession? FindSession(string id) => _sessions.GetValueOrDefault(id);

    internal IReadOnlyList<GatewaySession> SessionsOf(Guid userId) => [.. _sessions.Values.Where(s => s.UserId == userId)];

    private IChannelObserver Self => _self ?? throw new InvalidOperationException("The gateway node has not started.");

    // ---------------------------------------------------------------- lifecycle

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _self = _grains.CreateObjectReference<IChannelObserver>(this);
        _busSubscription = _bus.Subscribe(this);
        var sweepPeriod = TimeSpan.FromTicks(Math.Clamp(_options.HeartbeatInterval.Ticks / 4, TimeSpan.FromMilliseconds(25).Ticks, TimeSpan.FromSeconds(5).Ticks));
        _sweep = new Timer(static s => ((GatewayNode)s!).Sweep(), this, sweepPeriod, sweepPeriod);
        _renewal = new Timer(static s => _ = ((GatewayNode)s!).RenewAsync(), this, _options.RenewalInterval, _options.RenewalInterval);
        if (_placementChanges is not null)
        {
            _placementChanges.Changed += OnPlacementChanged;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Silos came or went: channel grains of a dead silo come back on survivors without their subscriptions, and user
    /// registrations alike. Renew at once (coalescing bursts of view changes) rather than at the next interval.
    /// </summary>
    private void OnPlacementChanged(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _renewalQueued, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            Volatile.Write(ref _renewalQueued, 0);
            await RenewAsync().ConfigureAwait(false);
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_placementChanges is not null)
        {
            _placementChanges.Changed -= OnPlacementChanged;
        }

        _sweep?.Dispose();
        _renewal?.Dispose();
        _busSubscription?.Dispose();
        foreach (var session in _sessions.Values)
        {
            session.Close((int)WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }

        Guid[] channels;
        Guid[] users;
        lock (_gate)
        {
            channels = [.. _channels.Keys];
            users = [.. _users.Keys];
        }

        if (_self is { } self)
        {
            // Best effort: subscriptions and registrations lapse by themselves anyway.
            var goodbyes = channels.Select(c => _grains.GetGrain<IChannelGrain>(c).Unsubscribe(self))
                .Concat(users.Select(u => _grains.GetGrain<IUserGatewaysGrain>(u).Unregister(self)));
            try
            {
                await Task.WhenAll(goodbyes).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Shutting down: nothing to do about a failed goodbye.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.GoodbyeFailed(_logger, e);
            }

            _grains.DeleteObjectReference<IChannelObserver>(this);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    // ---------------------------------------------------------------- sessions

    /// <summary>
    /// Creates a session for the user, follows the user's channels (first session of the user on this node) and attaches
    /// the connection, which then receives ready.
    /// </summary>
    public async Task<GatewaySession> IdentifyAsync(Guid userId, WebSocket socket, CancellationToken cancellationToken)
    {
        var session = new GatewaySession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), userId, _options, Stopwatch.GetTimestamp());
        UserEntry user;
        var first = false;
        GatewaySession? evicted = null;
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out user!))
            {
                user = new UserEntry();
                _users[userId] = user;
                first = true;
            }
            else if (user.Sessions.Count >= _options.MaxSessionsPerUser)
            {
                // Make room by ending the oldest session nobody is connected to; refuse if every one is in use.
                evicted = user.Sessions.Where(s => !s.IsAttached).MinBy(s => s.DetachedAt)
                    ?? throw new GatewaySessionLimitException($"At most {_options.MaxSessionsPerUser} sessions per user.");
            }

            user.Sessions.Add(session);
            InvalidateTargets(user);

            if (first)
            {
                user.Loaded = LoadUserAsync(userId);
            }
        }

        if (evicted is not null)
        {
            EndSession(evicted);
        }

        _sessions[session.Id] = session;
        GatewayMetrics.SessionsChanged(1);
        try
        {
            await user.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            EndSession(session);
            throw;
        }

        if (first)
        {
            _ = RunQuietly(() => _presence.KeepAliveAsync(userId, _stopping.Token));
        }

        session.Attach(socket, 0, resumed: false, _options.HeartbeatInterval, Stopwatch.GetTimestamp());
        return session;
    }

    /// <summary>Attaches a connection to an existing session and replays what it missed; null when that is impossible.</summary>
    public GatewaySession? TryResume(string sessionId, Guid userId, long seq, WebSocket socket)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || session.UserId != userId)
        {
            return null;
        }

        return session.Attach(socket, seq, resumed: true, _options.HeartbeatInterval, Stopwatch.GetTimestamp()) ? session : null;
    }

    /// <summary>The client sent a frame.</summary>
    public void Heard(GatewaySession session, bool heartbeat)
    {
        var now = Stopwatch.GetTimestamp();
        session.LastHeardAt = now;
        if (!heartbeat)
        {
            return;
        }

        session.SendControl(GatewayFrames.HeartbeatAck);
        bool refresh;
        lock (_gate)
        {
            refresh = _users.TryGetValue(session.UserId, out var user) && Stopwatch.GetElapsedTime(user.PresenceRefreshedAt, now) >= _presenceRefresh;
            if (refresh)
            {
                user!.PresenceRefreshedAt = now;
            }
        }

        if (refresh)
        {
            _ = RunQuietly(() => _presence.KeepAliveAsync(session.UserId, _stopping.Token));
        }
    }

    /// <summary>The connection ended; <paramref name="end"/> when the client closed normally (no resume wanted).</summary>
    public void Disconnected(GatewaySession session, WebSocket socket, bool end)
    {
        session.Detach(socket, end);
        if (session.Ended)
        {
            EndSession(session);
        }
    }

    private void EndSession(GatewaySession session)
    {
        session.End((int)WebSocketCloseStatus.NormalClosure, "session ended");
        if (!_sessions.TryRemove(session.Id, out _))
        {
            return;
        }

        GatewayMetrics.SessionsChanged(-1);
        var lastOfUser = false;
        lock (_gate)
        {
            if (!_users.TryGetValue(session.UserId, out var user))
            {
                return;
            }

            user.Sessions.Remove(session);
            InvalidateTargets(user);
            if (user.Sessions.Count == 0)
            {
                lastOfUser = true;
                _users.Remove(session.UserId);
                foreach (var channelId in user.Channels)
                {
                    var channel = _channels[channelId];
                    channel.Members.Remove(session.UserId);
                    UnfollowIfUnused(channelId, channel);
                }
            }
        }

        if (lastOfUser && _self is { } self && !_stopping.IsCancellationRequested)
        {
            // A new first session of this user waits for this, so its registration cannot be overtaken by the unregister.
            var userId = session.UserId;
            var leaving = RunQuietly(async () =>
            {
                var gateways = _grains.GetGrain<IUserGatewaysGrain>(userId);
                await gateways.Unregister(self).ConfigureAwait(false);
                if ((await gateways.GetGateways().ConfigureAwait(false)).Count == 0)
                {
                    await _presence.SetAsync(userId, PresenceStatus.Offline, _stopping.Token).ConfigureAwait(false);
                }
            });
            _leaving[userId] = leaving;
            _ = leaving.ContinueWith(
                t => _leaving.TryRemove(new KeyValuePair<Guid, Task>(userId, t)),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    // ---------------------------------------------------------------- following channels

    private async Task LoadUserAsync(Guid userId)
    {
        if (_leaving.TryRemove(userId, out var leaving))
        {
            await leaving.ConfigureAwait(false);
        }

        await _grains.GetGrain<IUserGatewaysGrain>(userId).Register(Self).ConfigureAwait(false);
        var channelIds = await _grains.GetGrain<IUserGrain>(userId).GetChannelIds().ConfigureAwait(false);
        await Task.WhenAll(channelIds.Select(id => FollowAsync(id, userId))).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes to the channel (once per node), then asks whether the user is a member. A membership event for the user
    /// processed after the question was asked is at least as new as the answer, so it wins over the answer.
    /// </summary>
    private async Task FollowAsync(Guid channelId, Guid userId)
    {
        ChannelEntry channel;
        Task subscribed;
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out channel!))
            {
                channel = new ChannelEntry();
                _channels[channelId] = channel;
            }

            channel.Loads++;
            subscribed = channel.Subscribed ??= _grains.GetGrain<IChannelGrain>(channelId).Subscribe(Self);
        }

        try
        {
            try
            {
                await subscribed.ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    if (ReferenceEquals(channel.Subscribed, subscribed))
                    {
                        channel.Subscribed = null;
                    }
                }

                throw;
            }

            long asked;
            lock (_gate)
            {
                asked = _version;
            }

            var member = await _grains.GetGrain<IChannelGrain>(channelId).IsMember(userId).ConfigureAwait(false);
            lock (_gate)
            {
                if (!_users.TryGetValue(userId, out var user))
                {
                    return;
                }

                if (channel.Notes.TryGetValue(userId, out var note) && note.Version > asked)
                {
                    member = note.Member;
                }

                if (member && channel.Members.Add(userId))
                {
                    user.Channels.Add(channelId);
                    channel.Targets = null;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                channel.Loads--;
                if (channel.Loads == 0)
                {
                    channel.Notes.Clear();
                    UnfollowIfUnused(channelId, channel);
                }
            }
        }
    }

    /// <summary>A user's sessions changed: the target lists of the user's channels are rebuilt on the next event. Under <c>_gate</c>.</summary>
    private void InvalidateTargets(UserEntry user)
    {
        foreach (var channelId in user.Channels)
        {
            _channels[channelId].Targets = null;
        }
    }

    /// <summary>Stops following a channel with no local member and no membership check in flight. Under <c>_gate</c>.</summary>
    private void UnfollowIfUnused(Guid channelId, ChannelEntry channel)
    {
        if (channel.Members.Count != 0 || channel.Loads != 0
            || !_channels.TryGetValue(channelId, out var current) || !ReferenceEquals(current, channel))
        {
            return;
        }

        _channels.Remove(channelId);
        if (_self is { } self && !_stopping.IsCancellationRequested)
        {
            _ = RunQuietly(() => _grains.GetGrain<IChannelGrain>(channelId).Unsubscribe(self));
        }
    }

    private async Task RenewAsync()
    {
        if (_self is not { } self || _stopping.IsCancellationRequested)
        {
            return;
        }

        Guid[] channels;
        Guid[] users;
        lock (_gate)
        {
            foreach (var (id, channel) in _channels.ToArray())
            {
                UnfollowIfUnused(id, channel);
            }

            channels = [.. _channels.Keys];
            users = [.. _users.Keys];
        }

        // Renewing also restores a subscription the channel grain lost when it moved to another silo.
        var renewals = channels.Select(c => RunQuietly(() => _grains.GetGrain<IChannelGrain>(c).Subscribe(self)))
            .Concat(users.Select(u => RunQuietly(() => _grains.GetGrain<IUserGatewaysGrain>(u).Register(self))));
        await Task.WhenAll(renewals).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- events in

    /// <inheritdoc />
    public Task OnChannelEvent(ChannelEvent channelEvent)
    {
        ArgumentNullException.ThrowIfNull(channelEvent);
        GatewaySession[] targets;
        List<Dispatch>? earlier = null;
        Dispatch? dispatch = null;
        lock (_gate)
        {
            var subject = channelEvent.UserId ?? channelEvent.Member?.UserId;
            if (!_channels.TryGetValue(channelEvent.ChannelId, out var channel))
            {
                // Only a channel grain that is adding users subscribes a node by itself. Follow it; until one of our users
                // is among the added, keep its MEMBER_ADDs (a new channel announces each member) for them.
                if (channelEvent.Type != ChannelEventType.MemberAdd)
                {
                    return Task.CompletedTask;
                }

                channel = new ChannelEntry { Subscribed = Task.CompletedTask, Pending = [] };
                _channels[channelEvent.ChannelId] = channel;
            }

            switch (channelEvent.Type)
            {
                case ChannelEventType.MemberAdd:
                    NoteMembership(channelEvent.ChannelId, channel, subject, member: true);
                    targets = TargetsOf(channel);
                    if (channel.Pending is { } pending)
                    {
                        dispatch = DispatchEncoder.Encode(channelEvent);
                        if (channel.Members.Count == 0)
                        {
                            if (pending.Count < MaxPendingAnnouncements)
                            {
                                pending.Add(dispatch);
                            }

                            return Task.CompletedTask;
                        }

                        earlier = pending;
                        channel.Pending = null;
                    }

                    break;
                case ChannelEventType.MemberRemove:
                    // The removed user hears of the removal, then nothing more from this channel.
                    targets = TargetsOf(channel);
                    NoteMembership(channelEvent.ChannelId, channel, subject, member: false);
                    break;
                case ChannelEventType.ReadUpdate:
                    targets = subject is { } reader && channel.Members.Contains(reader) && _users.TryGetValue(reader, out var user)
                        ? [.. user.Sessions]
                        : [];
                    break;
                default:
                    targets = TargetsOf(channel);
                    break;
            }
        }

        if (targets.Length > 0)
        {
            Deliver(dispatch ?? DispatchEncoder.Encode(channelEvent), targets, except: null);
            foreach (var announcement in earlier ?? [])
            {
                Deliver(announcement, targets, except: null);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void OnTyping(TypingEvent typing)
    {
        GatewaySession[] targets;
        lock (_gate)
        {
            if (!_channels.TryGetValue(typing.ChannelId, out var channel))
            {
                return;
            }

            targets = TargetsOf(channel);
        }

        if (targets.Length > 0)
        {
            Deliver(DispatchEncoder.Encode(typing), targets, except: typing.UserId);
        }
    }

    /// <inheritdoc />
    public void OnPresence(PresenceEvent presence)
    {
        GatewaySession[]? single = null;
        HashSet<GatewaySession>? union = null;
        lock (_gate)
        {
            foreach (var channelId in presence.ChannelIds)
            {
                if (!_channels.TryGetValue(channelId, out var channel) || channel.Members.Count > _options.PresenceMaxChannelMembers)
                {
                    continue;
                }

                var targets = TargetsOf(channel);
                if (single is null)
                {
                    single = targets;
                    continue;
                }

                union ??= [.. single];
                union.UnionWith(targets);
            }
        }

        var all = union is not null ? [.. union] : single;
        if (all is { Length: > 0 })
        {
            Deliver(DispatchEncoder.Encode(presence), all, except: presence.UserId);
        }
    }

    private void NoteMembership(Guid channelId, ChannelEntry channel, Guid? subject, bool member)
    {
        if (subject is not { } userId || !_users.TryGetValue(userId, out var user))
        {
            return;
        }

        if (channel.Loads > 0)
        {
            channel.Notes[userId] = (++_version, member);
        }

        var changed = member ? channel.Members.Add(userId) : channel.Members.Remove(userId);
        if (changed)
        {
            if (member)
            {
                user.Channels.Add(channelId);
            }
            else
            {
                user.Channels.Remove(channelId);
            }

            channel.Targets = null;
        }
    }

    private GatewaySession[] TargetsOf(ChannelEntry channel)
    {
        if (channel.Targets is { } targets)
        {
            return targets;
        }

        var list = new List<GatewaySession>();
        foreach (var member in channel.Members)
        {
            if (_users.TryGetValue(member, out var user))
            {
                list.AddRange(user.Sessions);
            }
        }

        return channel.Targets = [.. list];
    }

    private static void Deliver(Dispatch dispatch, GatewaySession[] targets, Guid? except)
    {
        long queued = 0, shed = 0, overflowed = 0;
        foreach (var session in targets)
        {
            if (session.UserId == except)
            {
                continue;
            }

            switch (session.Enqueue(dispatch))
            {
                case EnqueueResult.Queued:
                    queued++;
                    break;
                case EnqueueResult.Shed:
                    shed++;
                    break;
                case EnqueueResult.Overflowed:
                    overflowed++;
                    break;
            }
        }

        GatewayMetrics.Dispatched.Add(queued + overflowed);
        if (shed > 0)
        {
            GatewayMetrics.Shed.Add(shed);
        }

        if (overflowed > 0)
        {
            GatewayMetrics.Closed.Add(overflowed, new KeyValuePair<string, object?>("reason", "too_slow"));
        }
    }

    // ---------------------------------------------------------------- housekeeping

    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        var silentBefore = now - (long)(_options.HeartbeatInterval.TotalSeconds * 2 * Stopwatch.Frequency);
        var stuckBefore = now - (long)(_options.SendTimeout.TotalSeconds * Stopwatch.Frequency);
        var resumableAfter = now - (long)(_options.ResumeWindow.TotalSeconds * Stopwatch.Frequency);
        foreach (var session in _sessions.Values)
        {
            if (session.IsAttached)
            {
                if (session.LastHeardAt < silentBefore)
                {
                    GatewayMetrics.Closed.Add(1, new KeyValuePair<string, object?>("reason", "timed_out"));
                    session.Close(GatewayCloseCodes.SessionTimedOut, "session timed out");
                }
                else if (session.IsSendStuck(stuckBefore))
                {
                    GatewayMetrics.Closed.Add(1, new KeyValuePair<string, object?>("reason", "send_timeout"));
                    session.Close(GatewayCloseCodes.TooSlow, "too slow");
                }
            }
            else if (session.DetachedAt < resumableAfter || session.Ended)
            {
                EndSession(session);
                continue;
            }

            session.TrimReplay(resumableAfter);
        }
    }

    private async Task RunQuietly(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Background upkeep: log and carry on; renewal repairs what failed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!_stopping.IsCancellationRequested)
            {
                Log.BackgroundFailed(_logger, e);
            }
        }
    }

    private sealed class UserEntry
    {
        public List<GatewaySession> Sessions { get; } = [];

        public HashSet<Guid> Channels { get; } = [];

        public Task Loaded { get; set; } = Task.CompletedTask;

        public long PresenceRefreshedAt { get; set; } = Stopwatch.GetTimestamp();
    }

    private sealed class ChannelEntry
    {
        public HashSet<Guid> Members { get; } = [];

        public GatewaySession[]? Targets { get; set; }

        public Dictionary<Guid, (long Version, bool Member)> Notes { get; } = [];

        public int Loads { get; set; }

        public Task? Subscribed { get; set; }

        /// <summary>MEMBER_ADDs of a channel that subscribed this node before any local user was seen among its members.</summary>
        public List<Dispatch>? Pending { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Gateway upkeep failed (a subscription, registration or presence update); the next renewal retries")]
        public static partial void BackgroundFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Gateway could not unsubscribe everything while stopping; subscriptions lapse by themselves")]
        public static partial void GoodbyeFailed(ILogger logger, Exception exception);
    }
}

/// <summary>A user asked for more gateway sessions than <see cref="GatewayOptions.MaxSessionsPerUser"/> allows.</summary>
internal sealed class GatewaySessionLimitException(string message) : Exception(message);
