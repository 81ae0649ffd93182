using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WellWon.Runtime.Transport;

/// <summary>
/// Outbound connections, <see cref="TransportOptions.ConnectionsPerEndpoint"/> multiplexed connections per
/// remote endpoint, created on demand. Concurrent first callers share one connect attempt; after a failed
/// attempt the endpoint fails fast with <see cref="EndpointUnavailableException"/> during an exponential
/// backoff with jitter; a closed connection is replaced on the next request.
/// </summary>
public sealed class ConnectionPool : IAsyncDisposable
{
    private readonly TransportOptions _options;
    private readonly PeerIdentity _local;
    private readonly IFrameHandler _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, EndpointState> _endpoints = new();
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;
    private int _connectAttempts;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="options">Transport settings (cluster ID, timeouts, backoff, connections per endpoint).</param>
    /// <param name="local">Who this end is, sent in every handshake.</param>
    /// <param name="handler">Receives frames and closures of every pooled connection (responses, pushes).</param>
    /// <param name="timeProvider">Clock of the backoff windows; the system clock by default.</param>
    /// <param name="logger">Logs connect failures.</param>
    public ConnectionPool(
        TransportOptions options, PeerIdentity local, IFrameHandler handler, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(handler);
        options.ThrowIfInvalid();
        _options = options;
        _local = local;
        _handler = handler;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Connect attempts started so far (diagnostics, tests).</summary>
    public int ConnectAttempts => Volatile.Read(ref _connectAttempts);

    /// <summary>
    /// An open connection to <paramref name="endPoint"/>, connecting if needed. Cancelling
    /// <paramref name="cancellationToken"/> abandons the wait, not a connect attempt other callers share.
    /// </summary>
    /// <exception cref="EndpointUnavailableException">The endpoint failed recently and is in its backoff window.</exception>
    /// <exception cref="ConnectionRejectedException">The endpoint refused the handshake.</exception>
    /// <exception cref="TimeoutException">Connect or handshake took too long.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The TCP connect failed.</exception>
    public ValueTask<Connection> GetAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var state = _endpoints.GetOrAdd(endPoint, static (_, n) => new EndpointState(n), _options.ConnectionsPerEndpoint);
        Task<Connection> pending;
        lock (state)
        {
            var slot = state.Slots[(int)((uint)state.Next++ % (uint)state.Slots.Length)];
            if (slot.Connection is { IsClosed: false } open)
            {
                return new ValueTask<Connection>(open);
            }

            slot.Connection = null;
            if (slot.Pending is null)
            {
                if (state.LastError is not null && _time.GetUtcNow() < state.RetryAt)
                {
                    // Prefer a sibling connection that still works over failing the call.
                    foreach (var other in state.Slots)
                    {
                        if (other.Connection is { IsClosed: false } sibling)
                        {
                            return new ValueTask<Connection>(sibling);
                        }
                    }

                    return ValueTask.FromException<Connection>(new EndpointUnavailableException(endPoint, state.RetryAt, state.LastError));
                }

                Interlocked.Increment(ref _connectAttempts);
                slot.Pending = ConnectAsync(endPoint, state, slot);
            }

            pending = slot.Pending;
        }

        return new ValueTask<Connection>(pending.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Closes and forgets the connections to <paramref name="endPoint"/> and its backoff state (for example when
    /// membership declares that silo dead).
    /// </summary>
    public async Task RemoveAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (!_endpoints.TryRemove(endPoint, out var state))
        {
            return;
        }

        var connections = CollectConnections(state);
        foreach (var connection in connections)
        {
            connection.Close();
        }

        await Task.WhenAll(connections.Select(c => c.Closed)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes every pooled connection and abandons connect attempts in progress.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        var connections = _endpoints.Values.SelectMany(CollectConnections).ToArray();
        foreach (var connection in connections)
        {
            connection.Close();
        }

        await Task.WhenAll(connections.Select(c => c.Closed)).ConfigureAwait(false);
    }

    private static List<Connection> CollectConnections(EndpointState state)
    {
        lock (state)
        {
            return [.. state.Slots.Select(s => s.Connection).OfType<Connection>()];
        }
    }

    private async Task<Connection> ConnectAsync(IPEndPoint endPoint, EndpointState state, Slot slot)
    {
        // Leave the caller's lock before doing any I/O.
        await Task.Yield();
        try
        {
            var connection = await Connection.ConnectAsync(endPoint, _options, _local, _handler, _disposing.Token).ConfigureAwait(false);
            lock (state)
            {
                slot.Connection = connection;
                slot.Pending = null;
                state.Failures = 0;
                state.LastError = null;
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                connection.Close();
            }

            return connection;
        }
        catch (Exception e)
        {
            lock (state)
            {
                slot.Pending = null;
                state.Failures++;
                state.LastError = e;
                state.RetryAt = _time.GetUtcNow() + Backoff(state.Failures);
                _logger.LogDebug(e, "Connecting to {EndPoint} failed ({Failures} in a row); next attempt after {RetryAt}", endPoint, state.Failures, state.RetryAt);
            }

            throw;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var baseMs = _options.ReconnectBaseDelay.TotalMilliseconds;
        var maxMs = _options.ReconnectMaxDelay.TotalMilliseconds;
        var exponential = Math.Min(maxMs, baseMs * Math.Pow(2, Math.Min(failures - 1, 30)));

        // "Equal jitter": half fixed so the window is never tiny, half random so peers that lost the same silo
        // do not reconnect in lockstep.
        return TimeSpan.FromMilliseconds((exponential / 2) + (Random.Shared.NextDouble() * exponential / 2));
    }

    private sealed class EndpointState(int connections)
    {
        public Slot[] Slots { get; } = [.. Enumerable.Range(0, connections).Select(_ => new Slot())];

        public int Next { get; set; }

        public int Failures { get; set; }

        public Exception? LastError { get; set; }

        public DateTimeOffset RetryAt { get; set; }
    }

    private sealed class Slot
    {
        public Connection? Connection { get; set; }

        public Task<Connection>? Pending { get; set; }
    }
}
