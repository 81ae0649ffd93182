using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace WellWon.Runtime.Transport;

/// <summary>
/// One multiplexed, handshaken connection to a peer. Reads run on a loop that hands each frame to an
/// <see cref="IFrameHandler"/>; sends go through a bounded queue drained by a single writer loop that writes
/// every queued frame and flushes once per batch.
/// </summary>
/// <remarks>
/// Backpressure: when the peer or the network is slower than the senders, the writer loop blocks on the
/// socket, the queue fills up to <see cref="TransportOptions.SendQueueCapacity"/> and <see cref="SendAsync(Frame, CancellationToken)"/>
/// waits, so memory stays bounded. Completion of <c>SendAsync</c> means "queued", not "delivered": frames still
/// queued when the connection is lost are dropped and the layer above relies on its call deadlines.
/// </remarks>
public sealed class Connection : IAsyncDisposable
{
    private const int MaxHandshakeFrameSize = 16 * 1024;

    private readonly IConnectionTransport _transport;
    private readonly IFrameHandler _handler;
    private readonly FrameParser _parser;
    private readonly Channel<Frame> _queue;
    private readonly int _maxBatchBytes;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan GoodbyeLinger = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource _readDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;
    private int _draining;
    private int _goodbyeSent;
    private Exception? _closeError;

    private Connection(IConnectionTransport transport, TransportOptions options, IFrameHandler handler, PeerIdentity local, PeerIdentity remote, int protocolVersion)
    {
        _transport = transport;
        _handler = handler;
        _parser = new FrameParser(options.MaxFrameSize);
        _maxBatchBytes = options.MaxBatchBytes;
        _queue = Channel.CreateBounded<Frame>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        LocalIdentity = local;
        RemoteIdentity = remote;
        ProtocolVersion = protocolVersion;
        RemoteEndPoint = transport.RemoteEndPoint;
        LocalEndPoint = transport.LocalEndPoint;
    }

    /// <summary>Who this end announced itself as.</summary>
    public PeerIdentity LocalIdentity { get; }

    /// <summary>Who the peer announced itself as in the handshake.</summary>
    public PeerIdentity RemoteIdentity { get; }

    /// <summary>The protocol version both ends agreed on (the lower of the two).</summary>
    public int ProtocolVersion { get; }

    /// <summary>The peer's endpoint, if known.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>This end's endpoint, if known.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Whether the connection is closed or closing; a closed connection never reopens.</summary>
    public bool IsClosed => Volatile.Read(ref _closing) != 0 || Volatile.Read(ref _draining) != 0;

    /// <summary>Completes (never faults) once both loops have stopped and the handler was told.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection closed; <see langword="null"/> while open or when closed deliberately.</summary>
    public Exception? CloseError => Volatile.Read(ref _closeError);

    /// <summary>Frames queued and not yet taken by the writer loop (diagnostics, tests).</summary>
    public int QueuedFrames => _queue.Reader.Count;

    /// <summary>Connects over TCP and runs the connector side of the handshake.</summary>
    /// <exception cref="ConnectionRejectedException">The acceptor refused the handshake.</exception>
    /// <exception cref="TimeoutException">Connect or handshake took too long.</exception>
    /// <exception cref="SocketException">The TCP connect failed.</exception>
    public static async Task<Connection> ConnectAsync(
        IPEndPoint remote, TransportOptions options, PeerIdentity local, IFrameHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {remote} took longer than {options.ConnectTimeout}.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await ConnectAsync(new SocketTransport(socket), options, local, handler, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the connector side of the handshake over an already connected transport and starts the loops.
    /// Takes ownership of <paramref name="transport"/> (disposed on failure).
    /// </summary>
    public static async Task<Connection> ConnectAsync(
        IConnectionTransport transport, TransportOptions options, PeerIdentity local, IFrameHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(handler);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            var request = new HandshakeRequest(HandshakeCodec.Magic, HandshakeCodec.ProtocolVersion, options.ClusterId, local);
            FrameWriter.Write(transport.Output, FrameKind.Handshake, 0, HandshakeCodec.Encode(request));
            await transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            var frame = await ReadHandshakeFrameAsync(transport.Input, HandshakeParser(options), timeout.Token).ConfigureAwait(false);
            if (frame.Kind != FrameKind.HandshakeAck)
            {
                throw new TransportProtocolException($"Expected a handshake ack, received a frame of kind {(byte)frame.Kind}.");
            }

            var response = HandshakeCodec.DecodeResponse(frame.Payload.Span);
            if (!response.Accepted)
            {
                throw new ConnectionRejectedException(response.RejectionReason);
            }

            if (response.Version is < HandshakeCodec.MinimumProtocolVersion or > HandshakeCodec.ProtocolVersion)
            {
                throw new TransportProtocolException($"The acceptor chose protocol version {response.Version}, which this end does not speak.");
            }

            var connection = new Connection(transport, options, handler, local, response.Sender, response.Version);
            connection.Start();
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            transport.Dispose();
            throw new TimeoutException($"The handshake with {transport.RemoteEndPoint} did not complete within {options.HandshakeTimeout}.");
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the acceptor side of the handshake over an accepted transport and starts the loops. A handshake
    /// with another cluster ID, bad magic or an unsupported version is answered with a rejecting ack and the
    /// transport is closed (<see cref="ConnectionRejectedException"/>); garbage closes it without an answer
    /// (<see cref="TransportProtocolException"/>); silence closes it after the handshake timeout
    /// (<see cref="TimeoutException"/>). Takes ownership of <paramref name="transport"/>.
    /// </summary>
    public static Task<Connection> AcceptAsync(
        IConnectionTransport transport, TransportOptions options, PeerIdentity local, IFrameHandler handler, CancellationToken cancellationToken) =>
        AcceptAsync(transport, options, local, handler, beforeStart: null, cancellationToken);

    /// <summary>Like the public overload; <paramref name="beforeStart"/> sees the connection before any frame is dispatched.</summary>
    internal static async Task<Connection> AcceptAsync(
        IConnectionTransport transport, TransportOptions options, PeerIdentity local, IFrameHandler handler, Action<Connection>? beforeStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(handler);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            var frame = await ReadHandshakeFrameAsync(transport.Input, HandshakeParser(options), timeout.Token).ConfigureAwait(false);
            if (frame.Kind != FrameKind.Handshake)
            {
                throw new TransportProtocolException($"Expected a handshake, received a frame of kind {(byte)frame.Kind}.");
            }

            var request = HandshakeCodec.DecodeRequest(frame.Payload.Span);
            var rejection = Check(request, options);
            if (rejection is not null)
            {
                var ack = new HandshakeResponse(false, HandshakeCodec.ProtocolVersion, local, rejection);
                FrameWriter.Write(transport.Output, FrameKind.HandshakeAck, 0, HandshakeCodec.Encode(ack));
                await transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
                throw new ConnectionRejectedException(rejection);
            }

            var version = Math.Min(request.Version, HandshakeCodec.ProtocolVersion);
            var accepted = new HandshakeResponse(true, version, local, string.Empty);
            FrameWriter.Write(transport.Output, FrameKind.HandshakeAck, 0, HandshakeCodec.Encode(accepted));
            await transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            var connection = new Connection(transport, options, handler, local, request.Sender, version);
            beforeStart?.Invoke(connection);
            connection.Start();
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            transport.Dispose();
            throw new TimeoutException($"No handshake from {transport.RemoteEndPoint} within {options.HandshakeTimeout}.");
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>Queues a frame; waits while the send queue is full (backpressure).</summary>
    /// <remarks>The payload is referenced until written: do not reuse its memory (see <see cref="Frame"/>).</remarks>
    /// <exception cref="ConnectionClosedException">The connection is closed or closed while waiting.</exception>
    /// <exception cref="ArgumentException">The frame exceeds <see cref="TransportOptions.MaxFrameSize"/>; the peer would drop the connection.</exception>
    public ValueTask SendAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        if (Frame.HeaderSize + frame.Payload.Length > _parser.MaxFrameSize)
        {
            throw new ArgumentException(
                $"A payload of {frame.Payload.Length} bytes exceeds the maximum frame size of {_parser.MaxFrameSize}.", nameof(frame));
        }

        if (IsClosed)
        {
            return ValueTask.FromException(CreateClosedException());
        }

        return _queue.Writer.TryWrite(frame) ? default : SendSlowAsync(frame, cancellationToken);
    }

    /// <summary>Queues a frame; see <see cref="SendAsync(Frame, CancellationToken)"/>.</summary>
    public ValueTask SendAsync(FrameKind kind, long correlationId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendAsync(new Frame(kind, correlationId, payload), cancellationToken);

    /// <summary>
    /// Closes the connection at once: queued frames are dropped, waiting and later sends fail with
    /// <see cref="ConnectionClosedException"/>. Idempotent.
    /// </summary>
    /// <param name="error">Why, if it is a failure; reported to <see cref="IFrameHandler.OnClosed"/>.</param>
    public void Close(Exception? error = null) => CloseCore(error);

    /// <summary>
    /// Closes gracefully: refuses new sends, writes what is already queued, tells the peer with a
    /// <see cref="FrameKind.Close"/> frame and closes. If <paramref name="cancellationToken"/> fires first the
    /// connection is closed at once instead. Idempotent.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        try
        {
            await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            CloseCore(null);
            await _closed.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Closes at once (<see cref="Close"/>) and waits for <see cref="Closed"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        CloseCore(null);
        await _closed.Task.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Connection to {RemoteIdentity} ({RemoteEndPoint})";

    // A handshake is a few hundred bytes; a peer announcing megabytes before it is even known is not one.
    private static FrameParser HandshakeParser(TransportOptions options) =>
        new(Math.Min(options.MaxFrameSize, MaxHandshakeFrameSize));

    private static string? Check(HandshakeRequest request, TransportOptions options)
    {
        if (request.Magic != HandshakeCodec.Magic)
        {
            return $"bad magic '{request.Magic}' (expected '{HandshakeCodec.Magic}')";
        }

        if (request.Version < HandshakeCodec.MinimumProtocolVersion)
        {
            return $"protocol version {request.Version} is not supported (this end speaks {HandshakeCodec.MinimumProtocolVersion} to {HandshakeCodec.ProtocolVersion})";
        }

        if (!string.Equals(request.ClusterId, options.ClusterId, StringComparison.Ordinal))
        {
            return $"cluster ID '{request.ClusterId}' does not match this cluster's '{options.ClusterId}'";
        }

        if (!Enum.IsDefined(request.Sender.Role) || string.IsNullOrEmpty(request.Sender.Id))
        {
            return $"invalid sender identity ({(byte)request.Sender.Role}, '{request.Sender.Id}')";
        }

        return null;
    }

    private static async Task<Frame> ReadHandshakeFrameAsync(PipeReader input, FrameParser parser, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (parser.TryRead(ref buffer, out var frame))
            {
                // Bytes after the handshake (early requests) stay in the pipe for the read loop.
                input.AdvanceTo(buffer.Start);
                return frame;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new ConnectionClosedException("The peer closed the connection during the handshake.");
            }
        }
    }

    private async ValueTask SendSlowAsync(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw CreateClosedException();
        }
    }

    private ConnectionClosedException CreateClosedException() =>
        new($"The connection to {RemoteIdentity} ({RemoteEndPoint}) is closed.", CloseError);

    private void Start()
    {
        var read = Task.Run(ReadLoopAsync);
        var write = Task.Run(WriteLoopAsync);
        _ = FinishAsync(read, write);
    }

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        var input = _transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_abort.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var closeReceived = false;
                var leftover = false;
                try
                {
                    while (!closeReceived && _parser.TryRead(ref buffer, out var frame))
                    {
                        if (frame.Kind == FrameKind.Close)
                        {
                            closeReceived = true;
                        }
                        else if (frame.Kind == FrameKind.Request && Volatile.Read(ref _draining) != 0)
                        {
                            // Closing gracefully: no answer can be sent any more, so the request is not run at all. The
                            // peer sees our Close with this request unanswered and sends it elsewhere.
                        }
                        else
                        {
                            _handler.OnFrame(this, frame);
                        }
                    }

                    leftover = !buffer.IsEmpty;
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (closeReceived || result.IsCanceled)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    // After our goodbye the peer closing its side is the expected end, not a failure.
                    error = Volatile.Read(ref _goodbyeSent) != 0 ? null : leftover
                        ? new TransportProtocolException("The peer closed the connection in the middle of a frame.")
                        : new ConnectionClosedException("The peer closed the connection.");
                    break;
                }
            }
        }
        catch (Exception e) when (Volatile.Read(ref _closing) == 0 && e is not OperationCanceledException)
        {
            error = e;
        }
        catch (Exception)
        {
            // Errors after a local close are the socket being torn down under the read: expected.
        }

        _readDone.TrySetResult();
        CloseCore(error);
    }

    private async Task WriteLoopAsync()
    {
        Exception? error = null;
        var reader = _queue.Reader;
        var output = _transport.Output;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                long batch = 0;
                while (batch < _maxBatchBytes && reader.TryRead(out var frame))
                {
                    FrameWriter.Write(output, frame);
                    batch += frame.WireSize;
                }

                var flush = await output.FlushAsync(_abort.Token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    throw new ConnectionClosedException("The transport stopped accepting writes.");
                }
            }

            // The queue completed without an error only through CloseAsync: say goodbye after the drained frames.
            if (Volatile.Read(ref _closing) == 0)
            {
                Volatile.Write(ref _goodbyeSent, 1);
                FrameWriter.Write(output, FrameKind.Close, 0, default);
                await output.FlushAsync(_abort.Token).ConfigureAwait(false);

                // Keep reading until the peer, having read the Close, closes its side: closing a socket with unread
                // input makes the kernel send a reset, and the peer could lose the Close frame (and take its
                // unanswered requests for lost rather than re-routable).
                try
                {
                    await _readDone.Task.WaitAsync(GoodbyeLinger, _abort.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The peer did not close in time: close anyway.
                }
            }
        }
        catch (Exception e) when (Volatile.Read(ref _closing) == 0 && e is not OperationCanceledException)
        {
            error = e;
        }
        catch (Exception)
        {
            // After a local close the queue is completed with an error and the socket is gone: expected.
        }

        CloseCore(error);
    }

    private void CloseCore(Exception? error)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _closeError, error);
        _queue.Writer.TryComplete(new ConnectionClosedException("The connection is closed.", error));
        _abort.Cancel();
        _transport.Dispose();
    }

    private async Task FinishAsync(Task read, Task write)
    {
        await Task.WhenAll(read, write).ConfigureAwait(false);
        try
        {
            await _transport.Input.CompleteAsync().ConfigureAwait(false);
            await _transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The socket is already gone; completing the pipes only releases their buffers.
        }

        try
        {
            _handler.OnClosed(this, CloseError);
        }
        catch (Exception)
        {
            // A throwing OnClosed has nothing left to close; it must not keep Closed from completing.
        }
        finally
        {
            // _abort is not disposed: a racing Close() may still be cancelling it, and it holds no timer.
            _closed.TrySetResult();
        }
    }
}
