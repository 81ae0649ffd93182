using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// One per silo: joins the membership table, heartbeats, keeps the local <see cref="MembershipView"/> fresh
/// (periodic reads plus gossip), and detects failed peers.
/// </summary>
/// <remarks>
/// <para>
/// Failure detection: every <see cref="ClusterMembershipOptions.ProbePeriod"/> the silo pings its next
/// <see cref="ClusterMembershipOptions.NumProbedSilos"/> successors on a ring of live members ordered by
/// <see cref="SiloAddress.UniformHash"/>. When a probe failure would reach
/// <see cref="ClusterMembershipOptions.MissedProbesLimit"/> consecutive misses, an indirect probe through
/// another live silo is sent alongside that direct probe (so it adds no extra timeout to detection); only
/// if both fail does the silo write a suspicion vote. A suspect with enough fresh votes
/// (min(<see cref="ClusterMembershipOptions.NumVotesForDeathDeclaration"/>, other active silos)) is
/// declared Dead by the voter that completes the quorum.
/// </para>
/// <para>
/// Why no false deaths under CPU load: the probe loop runs on its own thread and blocks on the probe tasks
/// (a kernel wait, no continuation), so a starved thread pool cannot make a timely reply look late; timeouts
/// are measured on the monotonic clock; a round in which this thread itself was stalled is discarded as
/// inconclusive; a reply that is in by the time the thread looks counts; and a vote needs a second silo's
/// indirect probe to fail too. The responder side is the runtime's job, see <see cref="IMembershipTransport"/>.
/// </para>
/// <para>
/// A stale I-am-alive time is deliberately not a reason to declare death: a silo whose database connection
/// is slow but which answers its peers is healthy for its clients. The heartbeat only retires votes cast
/// before it, since the suspect demonstrably lived after them.
/// </para>
/// </remarks>
public sealed class MembershipAgent : IAsyncDisposable
{
    private const int MaxWriteAttempts = 20;

    private readonly IMembershipTable _table;
    private readonly IMembershipTransport _transport;
    private readonly ClusterMembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _siloName;
    private readonly int? _gatewayPort;
    private readonly Lock _viewLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _declaredDead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<long> _refreshRequests = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ConcurrentDictionary<SiloAddress, byte> _votesInFlight = new();
    private readonly List<Task> _loops = [];
    private MembershipView _view = MembershipView.Empty;
    private Thread? _probeThread;
    private volatile bool _joined;
    private volatile bool _leaving;
    private volatile SiloStatus _status;
    private int _started;
    private long _probesAnswered;
    private long _probesMissed;
    private long _roundsDiscarded;
    private long _votesCast;

    /// <summary>Creates the agent for <paramref name="silo"/>; nothing happens until <see cref="StartAsync"/>.</summary>
    public MembershipAgent(
        SiloAddress silo,
        string siloName,
        IMembershipTable table,
        IMembershipTransport transport,
        ClusterMembershipOptions options,
        TimeProvider? timeProvider = null,
        ILogger<MembershipAgent>? logger = null,
        int? gatewayPort = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Silo = silo;
        _siloName = siloName ?? silo.ToString();
        _table = table;
        _transport = transport;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<MembershipAgent>.Instance;
        _gatewayPort = gatewayPort;
    }

    /// <summary>This silo.</summary>
    public SiloAddress Silo { get; }

    /// <summary>The worker ID leased at join (0..1023), or -1 before <see cref="StartAsync"/> completed the insert.</summary>
    public int WorkerId { get; private set; } = -1;

    /// <summary>This silo's status as last read from the table.</summary>
    public SiloStatus Status => _status;

    /// <summary>The newest view this silo has read.</summary>
    public MembershipView CurrentView
    {
        get
        {
            lock (_viewLock)
            {
                return _view;
            }
        }
    }

    /// <summary>Direct probes this silo sent that were answered in time (for metrics and tests).</summary>
    public long ProbesAnswered => Interlocked.Read(ref _probesAnswered);

    /// <summary>Direct probes this silo sent that were not answered in time (stalled rounds excluded).</summary>
    public long ProbesMissed => Interlocked.Read(ref _probesMissed);

    /// <summary>Probe rounds discarded because this silo's own probe thread was stalled.</summary>
    public long ProbeRoundsDiscarded => Interlocked.Read(ref _roundsDiscarded);

    /// <summary>Suspicion votes this silo wrote into the table.</summary>
    public long SuspicionVotesCast => Interlocked.Read(ref _votesCast);

    /// <summary>
    /// Raised for every newer view, in version order, under the view lock: handlers must be quick and must not
    /// block or call back into the agent synchronously (hand the view off, e.g. rebuild a ring and swap it in).
    /// </summary>
    public event EventHandler<MembershipView>? ViewChanged;

    /// <summary>
    /// Completes when this silo reads that the cluster declared it Dead (or removed its row). The host must then
    /// stop at once without trying to rejoin: its grains have already been re-placed elsewhere. Never completes
    /// on a graceful <see cref="StopAsync"/>.
    /// </summary>
    public Task DeclaredDead => _declaredDead.Task;

    /// <summary>
    /// Joins: inserts this silo as Joining with the lowest free worker ID, becomes Active, tells every member,
    /// and starts heartbeats, refreshes and probing. The transport must already answer probes for this silo.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The membership agent was already started.");
        }

        await _table.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var (entry, _) = await _table.InsertWithWorkerIdAsync(
            new MembershipEntry(Silo, _siloName, SiloStatus.Joining, now, now, -1) { GatewayPort = _gatewayPort },
            cancellationToken).ConfigureAwait(false);
        WorkerId = entry.WorkerId;
        _joined = true;
        _logger.LogInformation("Silo {Silo} joined the membership table as Joining with worker ID {WorkerId}", Silo, WorkerId);

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        GossipToMembers(CurrentView, null);
        if (!await WriteOwnStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Silo {Silo} could not become Active: it was declared dead while joining.");
        }

        _logger.LogInformation("Silo {Silo} is Active; view version {Version} has {Count} active silos", Silo, CurrentView.Version, CurrentView.ActiveSilos.Count);

        var token = _stop.Token;
        _loops.Add(Task.Run(() => RefreshLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => IAmAliveLoopAsync(token), CancellationToken.None));
        _probeThread = new Thread(() => ProbeLoop(token))
        {
            IsBackground = true,
            Name = $"membership-probe {Silo}",
            // Honoured where the OS allows it; the design does not depend on it.
            Priority = ThreadPriority.AboveNormal,
        };
        _probeThread.Start();
    }

    /// <summary>
    /// First half of a graceful leave: marks this silo ShuttingDown, which removes it from every view's
    /// <see cref="MembershipView.ActiveSilos"/> as soon as peers receive the gossip, so new calls go elsewhere
    /// while in-flight work finishes here. Probing of others stops; peers still probe this silo.
    /// </summary>
    public async Task BeginShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (_joined)
        {
            await WriteOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Graceful leave: ShuttingDown (if not already), then Dead, then stops all loops.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_joined && !_declaredDead.Task.IsCompleted)
        {
            await BeginShutdownAsync(cancellationToken).ConfigureAwait(false);
            _leaving = true;
            await WriteOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Silo {Silo} left the cluster", Silo);
        }

        await AbortAsync().ConfigureAwait(false);
    }

    /// <summary>Stops every loop without touching the table (a crash, or after <see cref="DeclaredDead"/>).</summary>
    public async Task AbortAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Loops end by cancellation.
        }

        if (_probeThread is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>
    /// Called by the runtime when a peer says the table moved to <paramref name="tableVersion"/>. Cheap and
    /// non-blocking (safe on a transport read loop): it only schedules a table read if the version is newer.
    /// </summary>
    public void OnGossip(long tableVersion)
    {
        if (tableVersion > CurrentView.Version)
        {
            _refreshRequests.Writer.TryWrite(tableVersion);
        }
    }

    /// <summary>
    /// Called by the runtime on the intermediary when a peer asks it to probe <paramref name="target"/>;
    /// reply with the result.
    /// </summary>
    public async Task<bool> HandleIndirectProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = Safe(() => _transport.ProbeAsync(target, timeout, giveUp.Token));
        var done = await Task.WhenAny(probe, Task.Delay(timeout, _time, giveUp.Token)).ConfigureAwait(false);
        await giveUp.CancelAsync().ConfigureAwait(false);
        return done == probe && probe.Result;
    }

    /// <summary>Reads the table now and publishes the view if it is newer.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var data = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        Apply(data);
    }

    private void Apply(MembershipTableData data)
    {
        bool newest;
        lock (_viewLock)
        {
            newest = data.Version >= _view.Version;
            if (data.Version > _view.Version)
            {
                _view = MembershipView.From(data);
                try
                {
                    ViewChanged?.Invoke(this, _view);
                }
#pragma warning disable CA1031 // A subscriber's bug must not stop membership.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _logger.LogError(e, "A ViewChanged handler threw");
                }
            }
        }

        if (!_joined)
        {
            return;
        }

        if (!data.TryGet(Silo, out var self, out _))
        {
            OnDeclaredDead("its row is gone from the membership table");
        }
        else
        {
            if (newest)
            {
                // A snapshot that lost the race to a newer one must not roll our own status back.
                _status = self.Status;
            }

            // Death is final, so even an older snapshot that shows it is the truth.
            if (self.Status == SiloStatus.Dead && !_leaving)
            {
                OnDeclaredDead($"the cluster declared it Dead (votes: {string.Join(", ", self.Suspicions.Select(v => v.Voter))})");
            }
        }
    }

    private void OnDeclaredDead(string why)
    {
        if (_declaredDead.TrySetResult())
        {
            _status = SiloStatus.Dead;
            _logger.LogCritical("Silo {Silo} must stop: {Reason}", Silo, why);
            // Stop probing and heartbeating at once; a dead silo must not vote or look alive.
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already disposed: nothing left running.
            }
        }
    }

    private async Task<bool> WriteOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        var written = await TryWriteAsync(Silo, (snapshot, self) =>
        {
            if (self.Status == SiloStatus.Dead)
            {
                return null;
            }

            // Statuses only move forward; a retried write that already landed is a no-op.
            return self.Status >= status ? self : self with { Status = status };
        }, cancellationToken).ConfigureAwait(false);
        return written is not null && written.Status >= status && !(_declaredDead.Task.IsCompleted && !_leaving);
    }

    /// <summary>
    /// Read, change one row, compare-and-swap, retrying on conflict. <paramref name="change"/> returns the new
    /// row, the same instance for "nothing to do", or null to give up. On success the view is refreshed and
    /// every member is told.
    /// </summary>
    private async Task<MembershipEntry?> TryWriteAsync(
        SiloAddress row,
        Func<MembershipTableData, MembershipEntry, MembershipEntry?> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            Apply(snapshot);
            if (!snapshot.TryGet(row, out var current, out var etag))
            {
                return null;
            }

            var updated = change(snapshot, current);
            if (updated is null || ReferenceEquals(updated, current))
            {
                return updated;
            }

            if (await _table.UpdateRowAsync(updated, etag, snapshot.Version, cancellationToken).ConfigureAwait(false))
            {
                var after = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                Apply(after);
                GossipToMembers(MembershipView.From(after), updated.Silo);
                return updated;
            }

            if (attempt > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 + attempt)), _time, cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.LogWarning("Silo {Silo} gave up writing the row of {Row} after {Attempts} conflicting attempts", Silo, row, MaxWriteAttempts);
        return null;
    }

    private void GossipToMembers(MembershipView view, SiloAddress? changed)
    {
        foreach (var member in view.Members)
        {
            // The changed silo hears about it even when Dead, so a live-but-unreachable silo learns its fate fast.
            if (member.Silo != Silo && (member.IsLive || member.Silo == changed))
            {
                try
                {
                    _transport.Gossip(member.Silo, view.Version);
                }
#pragma warning disable CA1031 // Gossip is best effort; the periodic refresh covers a lost message.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _logger.LogDebug(e, "Gossip to {Target} failed", member.Silo);
                }
            }
        }
    }

    private async Task RefreshLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    var delay = Task.Delay(_options.TableRefreshPeriod, _time, wake.Token);
                    var gossip = _refreshRequests.Reader.WaitToReadAsync(wake.Token).AsTask();
                    await Task.WhenAny(delay, gossip).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                }

                while (_refreshRequests.Reader.TryRead(out _))
                {
                }

                await RefreshAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A table outage must not kill the loop; the next period retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogWarning(e, "Silo {Silo} could not read the membership table", Silo);
            }
        }
    }

    private async Task IAmAliveLoopAsync(CancellationToken token)
    {
        var beats = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _table.UpdateIAmAliveAsync(Silo, _time.GetUtcNow(), token).ConfigureAwait(false);
                if (beats++ % 100 == 0)
                {
                    var removed = await _table.CleanupDefunctAsync(_time.GetUtcNow() - _options.DefunctSiloExpiration, token).ConfigureAwait(false);
                    if (removed > 0)
                    {
                        _logger.LogInformation("Removed {Count} defunct silo rows", removed);
                    }
                }

                await Task.Delay(_options.IAmAlivePeriod, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A table outage must not kill the loop; the next period retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogWarning(e, "Silo {Silo} could not write its heartbeat", Silo);
                try
                {
                    await Task.Delay(_options.IAmAlivePeriod, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // ---- Probing (dedicated thread) ----

    private void ProbeLoop(CancellationToken token)
    {
        var missed = new Dictionary<SiloAddress, int>();
        while (!token.IsCancellationRequested)
        {
            var roundStart = _time.GetTimestamp();
            try
            {
                if (_status == SiloStatus.Active)
                {
                    ProbeRound(missed, token);
                }
            }
#pragma warning disable CA1031 // The failure detector must survive any single bad round.
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                _logger.LogError(e, "Probe round on {Silo} failed", Silo);
            }
            catch (Exception) when (token.IsCancellationRequested)
#pragma warning restore CA1031
            {
                return;
            }

            var remaining = _options.ProbePeriod - _time.GetElapsedTime(roundStart);
            if (remaining > TimeSpan.Zero)
            {
                Sleep(remaining, token);
            }
        }
    }

    private void ProbeRound(Dictionary<SiloAddress, int> missed, CancellationToken token)
    {
        var view = CurrentView;
        var targets = MembershipPolicy.ProbeTargets(view, Silo, _options.NumProbedSilos);
        foreach (var gone in missed.Keys.Where(s => !targets.Contains(s)).ToList())
        {
            missed.Remove(gone);
        }

        if (targets.Count == 0)
        {
            return;
        }

        var start = _time.GetTimestamp();
        var direct = new Task<bool>[targets.Count];
        var indirect = new Task<bool>?[targets.Count];
        var intermediaries = new SiloAddress?[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            direct[i] = Safe(() => _transport.ProbeAsync(target, _options.ProbeTimeout, token));
            if (missed.GetValueOrDefault(target) + 1 >= _options.MissedProbesLimit)
            {
                // Sent together with the direct probe that would reach the limit, so confirmation costs no extra timeout.
                intermediaries[i] = PickIntermediary(view, target, missed);
                if (intermediaries[i] is { } via)
                {
                    indirect[i] = Safe(() => _transport.ProbeIndirectAsync(via, target, _options.ProbeTimeout, token));
                }
            }
        }

        WaitAll(direct, _options.ProbeTimeout, token);
        var directElapsed = _time.GetElapsedTime(start);
        var pending = indirect.Where(t => t is not null).Select(t => t!).ToArray();
        if (pending.Length > 0)
        {
            // The intermediary needs a full probe timeout of its own plus a hop each way.
            var indirectBudget = _options.ProbeTimeout + (_options.ProbeTimeout / 2) - _time.GetElapsedTime(start);
            if (indirectBudget > TimeSpan.Zero)
            {
                WaitAll(pending, indirectBudget, token);
            }
        }

        // If this thread got the CPU back long after the deadline, the missing replies say nothing about the
        // targets: this silo was the one not running. Count nothing against them this round.
        var stalled = directElapsed > _options.ProbeTimeout + (_options.ProbeTimeout / 2) + TimeSpan.FromMilliseconds(50);
        if (stalled)
        {
            Interlocked.Increment(ref _roundsDiscarded);
            _logger.LogWarning("Probe thread of {Silo} stalled ({Elapsed} for a {Timeout} probe); round discarded", Silo, directElapsed, _options.ProbeTimeout);
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            if (direct[i].IsCompletedSuccessfully && direct[i].Result)
            {
                if (missed.GetValueOrDefault(target) > 0)
                {
                    _logger.LogInformation("{Target} answered {Silo} again", target, Silo);
                }

                missed[target] = 0;
                Interlocked.Increment(ref _probesAnswered);
                continue;
            }

            if (stalled)
            {
                continue;
            }

            Interlocked.Increment(ref _probesMissed);
            var count = missed[target] = missed.GetValueOrDefault(target) + 1;
            _logger.LogDebug("{Silo} missed probe {Count} of {Target}", Silo, count, target);
            if (count < _options.MissedProbesLimit)
            {
                continue;
            }

            if (indirect[i] is { IsCompletedSuccessfully: true, Result: true })
            {
                // Reachable through another silo: a broken link or an overloaded path, not a dead silo.
                _logger.LogWarning("{Target} missed {Count} probes from {Silo} but answered via {Via}; not voting", target, count, Silo, intermediaries[i]);
                missed[target] = 0;
                continue;
            }

            _logger.LogWarning("{Target} missed {Count} probes from {Silo} and the indirect probe via {Via} failed; voting", target, count, Silo, intermediaries[i]?.ToString() ?? "(no intermediary)");
            if (_votesInFlight.TryAdd(target, 0))
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await VoteAsync(target, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                    }
#pragma warning disable CA1031 // Logged; the next round votes again.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        _logger.LogWarning(e, "{Silo} could not vote against {Target}", Silo, target);
                    }
                    finally
                    {
                        _votesInFlight.TryRemove(target, out _);
                    }
                }, CancellationToken.None);
            }
        }
    }

    private async Task VoteAsync(SiloAddress suspect, CancellationToken token)
    {
        // A silo that is itself dead or leaving has no say; the policy returns null and nothing is written.
        var written = await TryWriteAsync(
            suspect,
            (snapshot, _) => MembershipPolicy.Vote(snapshot, Silo, suspect, _time.GetUtcNow(), _options),
            token).ConfigureAwait(false);
        if (written is null)
        {
            return;
        }

        Interlocked.Increment(ref _votesCast);
        if (written.Status == SiloStatus.Dead)
        {
            _logger.LogWarning("Silo {Silo} declared {Suspect} Dead (votes: {Voters})", Silo, suspect, string.Join(", ", written.Suspicions.Select(v => v.Voter)));
        }
    }

    private SiloAddress? PickIntermediary(MembershipView view, SiloAddress target, Dictionary<SiloAddress, int> missed)
    {
        var candidates = view.Members
            .Where(m => m.Status == SiloStatus.Active && m.Silo != Silo && m.Silo != target)
            .Select(m => m.Silo)
            .ToList();
        // Prefer silos this one can currently reach; a failing intermediary proves nothing.
        var healthy = candidates.Where(c => missed.GetValueOrDefault(c) == 0).ToList();
        var pool = healthy.Count > 0 ? healthy : candidates;
        return pool.Count == 0 ? null : pool[Random.Shared.Next(pool.Count)];
    }

    /// <summary>A probe as a task that never faults: any failure, synchronous or not, is a missed probe.</summary>
    private static Task<bool> Safe(Func<Task<bool>> start)
    {
        Task<bool> probe;
        try
        {
            probe = start();
        }
#pragma warning disable CA1031 // A transport that throws is a probe that failed.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Task.FromResult(false);
        }

        // ExecuteSynchronously: completes on whichever thread completes the probe, never queued to the pool.
        return probe.ContinueWith(static t => t.IsCompletedSuccessfully && t.Result, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void WaitAll(Task[] tasks, TimeSpan timeout, CancellationToken token)
    {
        try
        {
            if (_time == TimeProvider.System)
            {
                // A kernel wait on this thread: needs no thread-pool thread to notice completion or timeout.
                Task.WaitAll(tasks, (int)Math.Ceiling(timeout.TotalMilliseconds), token);
            }
            else
            {
                Task.WaitAny([Task.WhenAll(tasks), Task.Delay(timeout, _time, token)], token);
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (AggregateException)
        {
            // Safe() tasks never fault; nothing to report.
        }
    }

    private void Sleep(TimeSpan duration, CancellationToken token)
    {
        if (_time == TimeProvider.System)
        {
            token.WaitHandle.WaitOne(duration);
        }
        else
        {
            try
            {
                Task.Delay(duration, _time, token).Wait(token);
            }
            catch (OperationCanceledException)
            {
            }
            catch (AggregateException)
            {
            }
        }
    }
}
