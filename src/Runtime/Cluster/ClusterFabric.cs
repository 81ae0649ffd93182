using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Core;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Membership;
using WellWon.Runtime.Messaging;
using WellWon.Runtime.Placement;
using WellWon.Runtime.Serialization;
using WellWon.Runtime.Transport;

namespace WellWon.Runtime.Cluster;

/// <summary>
/// Connects a runtime to the cluster: routes calls to the owning silo over TCP, serves calls that arrive,
/// forwards requests that reached a non-owner, answers probes on the read loop, and implements the membership
/// transport. A silo has a listener and a membership agent; a cluster client has neither and follows the
/// membership table instead. Requests that were never delivered (connection refused, rejected by a non-owner or a
/// stopping silo) are re-routed until their deadline; requests lost with a connection fail.
/// </summary>
internal sealed partial class ClusterFabric : IFrameHandler, IMembershipTransport, IAsyncDisposable
{
    private static readonly TimeSpan s_rerouteDelay = TimeSpan.FromMilliseconds(50);

    private readonly GrainRuntime _runtime;
    private readonly ClusteringOptions _options;
    private readonly IMembershipTable _table;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _probes = new();
    private readonly ConcurrentDictionary<long, (Connection Origin, long OriginCorrelation)> _forwards = new();
    private readonly ConcurrentDictionary<long, (Request Request, Connection Connection)> _remote = new();
    private readonly ConcurrentDictionary<string, Connection> _clients = new(StringComparer.Ordinal);
    private readonly ClusterPlacement _placement = new();
    private readonly CancellationTokenSource _stopped = new();
    private ConnectionListener? _listener;
    private ConnectionPool? _pool;
    private MembershipAgent? _agent;
    private ITimer? _clientRefresh;
    private long _nextInternalId = long.MinValue / 2;
    private readonly PlacementChanges? _changes;
    private volatile bool _leaving;
    private volatile bool _isolated;

    public ClusterFabric(GrainRuntime runtime, ClusteringOptions options, IMembershipTable table, bool isClient, ILogger logger, PlacementChanges? changes = null)
    {
        _changes = changes;
        _runtime = runtime;
        _options = options;
        _table = table;
        _logger = logger;
        IsClient = isClient;
        _options.Transport.ClusterId = runtime.Options.ClusterId;
    }

    public bool IsClient { get; }

    /// <summary>This silo (null for a client).</summary>
    public SiloAddress? Silo { get; private set; }

    public MembershipAgent? Agent => _agent;

    public ClusterPlacement Placement => _placement;

    /// <summary>The current view (a client's comes from the table).</summary>
    public MembershipView View { get; private set; } = MembershipView.Empty;

    /// <summary>
    /// Test hook: cuts this process off the network as a partition would (frames dropped, probes fail, nothing
    /// sent), without stopping anything. The silo's own table access still works, so it learns its fate.
    /// </summary>
    internal void Isolate() => _isolated = true;

    internal bool IsIsolated => _isolated;

    public Task DeclaredDead => _agent?.DeclaredDead ?? Task.Delay(Timeout.Infinite, _stopped.Token);

    // ---------------- lifecycle ----------------

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsClient)
        {
            await _table.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        if (IsClient)
        {
            _pool = new ConnectionPool(_options.Transport, PeerIdentity.ForClient(_runtime.HostId), this, logger: _logger);
            await RefreshClientViewAsync(cancellationToken).ConfigureAwait(false);
            var period = _options.Membership.TableRefreshPeriod / 5;
            _clientRefresh = _runtime.TimeProvider.CreateTimer(static s => _ = ((ClusterFabric)s!).RefreshClientViewAsync(CancellationToken.None), this, period, period);
            return;
        }

        // Name ourselves before listening: the identity goes into every handshake. Port 0 means "any free port".
        var generation = _runtime.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var port = _options.Port != 0 ? _options.Port : FreeTcpPort(_options.AdvertisedHost);
        Silo = new SiloAddress(_options.AdvertisedHost, port, generation);
        _listener = new ConnectionListener(new IPEndPoint(IPAddress.Parse(_options.AdvertisedHost), port), _options.Transport, PeerIdentity.ForSilo(Silo), this, OnAccepted, _logger);
        _listener.Start();
        _runtime.HostId = Silo.ToString();
        _pool = new ConnectionPool(_options.Transport, PeerIdentity.ForSilo(Silo), this, logger: _logger);
        _agent = new MembershipAgent(Silo, _runtime.Options.SiloName, _table, this, _options.Membership, _runtime.TimeProvider,
            _runtime.LoggerFactory.CreateLogger<MembershipAgent>());
        _agent.ViewChanged += (_, view) => OnViewChanged(view);
        await _agent.StartAsync(cancellationToken).ConfigureAwait(false);
        OnViewChanged(_agent.CurrentView);
        _logger.LogInformation("Silo {Silo} joined cluster {ClusterId} with worker ID {WorkerId}", Silo, _runtime.Options.ClusterId, _agent.WorkerId);
    }

    /// <summary>Graceful: leave the view (peers stop routing here), then let the runtime drain and deactivate.</summary>
    public async Task BeginLeaveAsync(CancellationToken cancellationToken)
    {
        _leaving = true;
        if (_agent is not null)
        {
            await _agent.BeginShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Graceful end, after the runtime has drained its grains: wait for calls this silo re-routed elsewhere, write
    /// Dead, then close every connection gracefully (queued responses are flushed first). A caller whose
    /// connection closes gracefully knows every request the silo read was answered, so it re-routes the rest.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = _runtime.TimeProvider.GetTimestamp() + (5 * _runtime.TimeProvider.TimestampFrequency);
        while ((!_remote.IsEmpty || !_forwards.IsEmpty) && _runtime.TimeProvider.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        if (_agent is not null)
        {
            await _agent.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_listener is not null)
        {
            using var flush = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            flush.CancelAfter(TimeSpan.FromSeconds(5));
            await Task.WhenAll(_listener.Connections.Select(c => c.CloseAsync(flush.Token))).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Abrupt: as if the process died (no table writes, sockets dropped).</summary>
    public async Task KillAsync()
    {
        _leaving = true;
        if (_agent is not null)
        {
            await _agent.AbortAsync().ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped.IsCancellationRequested)
        {
            return;
        }

        _stopped.Cancel();
        _clientRefresh?.Dispose();
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_pool is not null)
        {
            await _pool.DisposeAsync().ConfigureAwait(false);
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var (_, entry) in _remote)
        {
            entry.Request.SetException(new SiloUnavailableException("The local runtime stopped before the call was answered."));
        }
    }

    private static int FreeTcpPort(string host)
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse(host), 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task RefreshClientViewAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A client may start before any silo created the cluster's rows: it keeps polling until they exist.
            if (View.Version < 0)
            {
                await _table.InitializeAsync(cancellationToken).ConfigureAwait(false);
            }

            var data = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            OnViewChanged(MembershipView.From(data));
        }
        catch (Exception e) when (!_stopped.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Reading the membership table failed; keeping view {Version}", View.Version);
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        bool changed;
        lock (_placement)
        {
            if (view.Version < View.Version)
            {
                return;
            }

            View = view;
            changed = _placement.Update(view);
        }

        if (changed)
        {
            _changes?.Raise();
        }

        if (!changed || IsClient || Silo is null)
        {
            return;
        }

        // Activations whose owner moved finish their current turn and deactivate; the next call activates them on
        // the new owner. A silo that is leaving keeps serving what it holds until the runtime deactivates it.
        if (_placement.Ring.IsEmpty || _leaving)
        {
            return;
        }

        foreach (var activation in _runtime.Catalog.Activations)
        {
            if (!activation.GrainClass.Flags.HasFlag(Metadata.GrainClassFlags.StatelessWorker) && _placement.Owner(activation.GrainId) != Silo)
            {
                activation.Deactivate(new DeactivationReason(DeactivationReasonCode.PlacementChanged, "Owner moved to another silo"));
            }
        }
    }

    // ---------------- routing ----------------

    /// <summary>Whether <paramref name="grainId"/> lives here; if not, <paramref name="owner"/> says where.</summary>
    public bool IsLocal(GrainId grainId, out SiloAddress? owner)
    {
        if (IsClient)
        {
            owner = _placement.Ring.IsEmpty ? null : _placement.Owner(grainId);
            return false;
        }

        if (_placement.Ring.IsEmpty || _runtime.Catalog.IsStatelessWorker(grainId.Type))
        {
            // Stateless workers run wherever they are called from: no placement, no hop.
            owner = null;
            return true;
        }

        owner = _placement.Owner(grainId);
        return owner == Silo;
    }

    /// <summary>Sends a request to <paramref name="owner"/> (or waits for a view that has an owner) and re-routes it if it was not delivered.</summary>
    public void SendRemote(Request request, SiloAddress? owner) => _ = SendRemoteAsync(request, owner);

    private async Task SendRemoteAsync(Request request, SiloAddress? owner)
    {
        while (!request.IsCompleted)
        {
            if (_stopped.IsCancellationRequested)
            {
                request.SetException(new SiloUnavailableException("The runtime is stopping."));
                return;
            }

            if (owner is not null && owner != Silo)
            {
                Connection? connection = null;
                try
                {
                    connection = await _pool!.GetAsync(owner.EndPoint, _stopped.Token).ConfigureAwait(false);
                    var payload = Encode(request);
                    var oneWay = (request.Flags & InvokeFlags.OneWay) != 0;
                    if (request.CorrelationId == 0)
                    {
                        // A request that came from elsewhere and is re-routed from here has no local correlation ID yet.
                        request.CorrelationId = Interlocked.Increment(ref _nextInternalId);
                    }

                    if (!oneWay)
                    {
                        _remote[request.CorrelationId] = (request, connection);
                    }

                    await connection.SendAsync(oneWay ? FrameKind.OneWay : FrameKind.Request, request.CorrelationId, payload, _stopped.Token).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is EndpointUnavailableException or ConnectionClosedException or ConnectionRejectedException or System.Net.Sockets.SocketException or IOException or TimeoutException)
                {
                    // Not delivered: safe to retry once the view no longer lists that silo (or it comes back).
                    _remote.TryRemove(request.CorrelationId, out _);
                    _logger.LogDebug("Could not reach {Owner} for {Request}: {Error}", owner, request, e.Message);
                }
                catch (Exception e) when (e is CodecNotFoundException or WireFormatException or InvalidOperationException)
                {
                    request.SetException(e);
                    return;
                }
            }

            if ((request.Flags & InvokeFlags.OneWay) != 0 && request.DeadlineTimestamp == 0)
            {
                // One-way calls carry no deadline of their own: give them the default one for re-routing.
                request.DeadlineTimestamp = _runtime.TimeProvider.GetTimestamp() + (long)(_runtime.Options.ResponseTimeout.TotalSeconds * _runtime.TimeProvider.TimestampFrequency);
            }

            if (_runtime.TimeProvider.GetTimestamp() > request.DeadlineTimestamp)
            {
                request.SetException(new TimeoutException($"{request} on {request.TargetId}: no live owner answered within the response timeout."));
                return;
            }

            await Task.Delay(s_rerouteDelay, _runtime.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            if (IsClient)
            {
                await RefreshClientViewAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else if (_agent is not null && !_leaving)
            {
                await _agent.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            }

            request.ForwardCount = 0;
            if (IsLocal(request.TargetId, out owner) && !_leaving)
            {
                _runtime.DispatchLocal(request);
                return;
            }
        }
    }

    private byte[] Encode(Request request)
    {
        var remaining = request.DeadlineTimestamp == 0
            ? (long)_runtime.Options.ResponseTimeout.TotalMilliseconds
            : (long)_runtime.TimeProvider.GetElapsedTime(_runtime.TimeProvider.GetTimestamp(), request.DeadlineTimestamp).TotalMilliseconds;
        using var buffer = new PooledBufferWriter();
        MessageCodec.WriteRequest(buffer, request, Math.Max(1, remaining));
        return buffer.ToArray();
    }

    /// <summary>Sends a call to an observer hosted by another process (a silo or a client).</summary>
    public void SendToObserverHost(Request request, string hostId)
    {
        if (_clients.TryGetValue(hostId, out var client))
        {
            _ = SendOverAsync(client, request);
            return;
        }

        SiloAddress silo;
        try
        {
            silo = SiloAddress.Parse(hostId);
        }
        catch (FormatException)
        {
            request.SetException(new ObserverNotFoundException($"Observer host {hostId} is not connected to this silo."));
            return;
        }

        SendRemote(request, silo);
    }

    private async Task SendOverAsync(Connection connection, Request request)
    {
        try
        {
            var oneWay = (request.Flags & InvokeFlags.OneWay) != 0;
            if (!oneWay)
            {
                _remote[request.CorrelationId] = (request, connection);
            }

            await connection.SendAsync(oneWay ? FrameKind.OneWay : FrameKind.Request, request.CorrelationId, Encode(request), _stopped.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _remote.TryRemove(request.CorrelationId, out _);
            request.SetException(new ObserverNotFoundException($"Observer host {connection.RemoteIdentity} is unreachable: {e.Message}", e));
        }
    }
}

/// <summary>The silo that held a call went away before answering (the call may or may not have run).</summary>
public sealed class SiloUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
