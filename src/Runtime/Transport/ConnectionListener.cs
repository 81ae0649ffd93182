using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WellWon.Runtime.Transport;

/// <summary>
/// Accepts TCP connections on one endpoint, runs the acceptor side of the handshake on each (concurrently, so
/// a silent or garbage peer delays nobody) and hands established connections to a callback. A connection
/// that fails its handshake is closed; the listener keeps accepting.
/// </summary>
public sealed class ConnectionListener : IAsyncDisposable
{
    private readonly IPEndPoint _endPoint;
    private readonly TransportOptions _options;
    private readonly PeerIdentity _local;
    private readonly IFrameHandler _handler;
    private readonly Action<Connection>? _onAccepted;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _handshakes = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    /// <summary>Creates a listener; call <see cref="Start"/> to bind.</summary>
    /// <param name="endPoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="options">Transport settings (cluster ID, limits, handshake timeout).</param>
    /// <param name="local">Who this end is, sent in every handshake ack.</param>
    /// <param name="handler">Receives the frames and closure of every accepted connection.</param>
    /// <param name="onAccepted">
    /// Called once per established connection before its first frame is dispatched (so the caller can
    /// register it first). Called on the handshake task; must not block.
    /// </param>
    /// <param name="logger">Logs failed handshakes at debug level.</param>
    public ConnectionListener(
        IPEndPoint endPoint,
        TransportOptions options,
        PeerIdentity local,
        IFrameHandler handler,
        Action<Connection>? onAccepted = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(handler);
        options.ThrowIfInvalid();
        _endPoint = endPoint;
        _options = options;
        _local = local;
        _handler = handler;
        _onAccepted = onAccepted;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The bound endpoint (with the actual port when bound to port 0); set by <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint?)_socket?.LocalEndPoint ?? throw new InvalidOperationException("The listener is not started.");

    /// <summary>The bound port.</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>Established connections that are not closed yet.</summary>
    public IReadOnlyCollection<Connection> Connections => [.. _connections.Keys];

    /// <summary>Binds, listens and starts accepting.</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound (for example, it is in use).</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_socket is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }

        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted silo must get its port back while connections of its previous life sit in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(_endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Stops accepting, closes every accepted connection and waits for them to close.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_handshakes.Keys).ConfigureAwait(false);
        var connections = _connections.Keys.ToArray();
        foreach (var connection in connections)
        {
            connection.Close();
        }

        await Task.WhenAll(connections.Select(c => c.Closed)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var listener = _socket!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted (ECONNABORTED and the like) concerns that peer only.
                _logger.LogDebug(e, "Accept on {EndPoint} failed", _endPoint);
                continue;
            }

            accepted.NoDelay = true;
            var handshake = HandshakeAsync(accepted);
            _handshakes.TryAdd(handshake, 0);
            _ = handshake.ContinueWith(
                t => _handshakes.TryRemove(t, out _),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandshakeAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        try
        {
            await Task.Yield();
            await Connection.AcceptAsync(new SocketTransport(socket), _options, _local, _handler, Register, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Handshake from {Remote} failed; connection closed", remote);
        }
    }

    private void Register(Connection connection)
    {
        _connections.TryAdd(connection, 0);
        _ = connection.Closed.ContinueWith(
            closed => _connections.TryRemove(connection, out _),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _onAccepted?.Invoke(connection);
        if (_stopping.IsCancellationRequested)
        {
            // Disposal raced the handshake and may already have collected the connections.
            connection.Close();
        }
    }
}
