using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using static WellWon.Runtime.Transport.Tests.TestSupport;

namespace WellWon.Runtime.Transport.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public async Task Requests_from_64_concurrent_senders_all_get_the_response_with_their_correlation_id()
    {
        await using var listener = StartListener(new EchoHandler());
        var handler = new ClientHandler();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, handler, CancellationToken.None);

        var senders = Enumerable.Range(0, 64).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var payload = new byte[8 + (i % 7 * 100)];
                BinaryPrimitives.WriteInt32LittleEndian(payload, sender);
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), i);
                var response = await RoundTripAsync(connection, handler, payload);
                Assert.Equal(payload, response.Payload.ToArray());
            }
        }));
        await Task.WhenAll(senders).WaitAsync(Bound * 3);

        Assert.Equal(0, handler.Pending.Count);
    }

    [Fact]
    public async Task Unknown_frame_kinds_are_passed_up_to_the_handler()
    {
        var server = new EchoHandler();
        await using var listener = StartListener(server);
        var handler = new ClientHandler();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, handler, CancellationToken.None);

        await connection.SendAsync((FrameKind)200, 77, new byte[] { 1 });
        await RoundTripAsync(connection, handler, [2]);

        Assert.Contains(server.Received, f => f.Kind == (FrameKind)200 && f.CorrelationId == 77);
    }

    [Fact]
    public async Task A_full_send_queue_makes_SendAsync_wait_until_the_peer_reads_again()
    {
        var options = Options();
        options.SendQueueCapacity = 4;
        await using var peer = await NonReadingPeer.StartAsync();
        await using var connection = await Connection.ConnectAsync(peer.EndPoint, options, ClientIdentity, new ClientHandler(), CancellationToken.None);
        await peer.Accepted.WaitAsync(Bound);

        var blocked = await SendUntilBlockedAsync(connection);

        Assert.True(connection.QueuedFrames <= options.SendQueueCapacity);
        peer.StartReading();
        await blocked.WaitAsync(Bound);
        await connection.SendAsync(FrameKind.OneWay, 0, new byte[16]).AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task A_send_waits_while_the_writer_is_blocked_and_the_queue_is_full_and_proceeds_once_the_peer_reads()
    {
        var (connection, transport) = await ConnectOverBlockedPipeAsync(queueCapacity: 2);
        await using var owned = connection;

        var blocked = await FillQueueAsync(connection, queueCapacity: 2);

        Assert.False(blocked.IsCompleted);
        Assert.Equal(2, connection.QueuedFrames);
        _ = transport.DrainAsync();
        await blocked.WaitAsync(Bound);
    }

    [Fact]
    public async Task Closing_the_connection_fails_pending_sends_with_ConnectionClosedException()
    {
        var (connection, transport) = await ConnectOverBlockedPipeAsync(queueCapacity: 2);
        var blocked = await FillQueueAsync(connection, queueCapacity: 2);

        connection.Close();
        connection.Close();

        await Assert.ThrowsAsync<ConnectionClosedException>(() => blocked.WaitAsync(Bound));
        await Assert.ThrowsAsync<ConnectionClosedException>(() => connection.SendAsync(FrameKind.OneWay, 0, new byte[1]).AsTask());
        await connection.Closed.WaitAsync(Bound);
        Assert.True(connection.IsClosed);
        Assert.True(transport.IsDisposed);
        Assert.Null(connection.CloseError);
    }

    [Fact]
    public async Task The_handler_is_told_about_the_close_exactly_once()
    {
        var handler = new ClientHandler();
        var transport = new PipeTransport();
        await transport.AcceptHandshakeAsync();
        var connection = await Connection.ConnectAsync(transport, Options(), ClientIdentity, handler, CancellationToken.None);

        connection.Close();
        await connection.CloseAsync();
        await connection.DisposeAsync();

        Assert.Null(await handler.Closed.Task.WaitAsync(Bound));
        Assert.Equal(1, handler.ClosedCalls);
    }

    /// <summary>A connection over an in-memory pipe whose peer never reads, writing one frame per flush.</summary>
    private static async Task<(Connection Connection, PipeTransport Transport)> ConnectOverBlockedPipeAsync(int queueCapacity)
    {
        var options = Options();
        options.SendQueueCapacity = queueCapacity;
        options.MaxBatchBytes = 1;
        var transport = new PipeTransport();
        await transport.AcceptHandshakeAsync();
        var connection = await Connection.ConnectAsync(transport, options, ClientIdentity, new ClientHandler(), CancellationToken.None);
        return (connection, transport);
    }

    /// <summary>
    /// The writer loop takes the first 2 KiB frame and blocks flushing it (the pipe pauses at 1 KiB and nobody
    /// reads); the next <paramref name="queueCapacity"/> frames fill the queue, so the send after them must wait.
    /// </summary>
    private static async Task<Task> FillQueueAsync(Connection connection, int queueCapacity)
    {
        for (var i = 0; i < 1 + queueCapacity; i++)
        {
            await connection.SendAsync(FrameKind.OneWay, i, new byte[2048]).AsTask().WaitAsync(Bound);
        }

        return connection.SendAsync(FrameKind.OneWay, 99, new byte[2048]).AsTask();
    }

    [Fact]
    public async Task A_graceful_close_delivers_queued_frames_and_tells_the_peer()
    {
        var server = new EchoHandler();
        await using var listener = StartListener(server);
        var connection = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, new ClientHandler(), CancellationToken.None);

        for (var i = 0; i < 10; i++)
        {
            await connection.SendAsync(FrameKind.OneWay, i, new byte[] { (byte)i });
        }

        await connection.CloseAsync().WaitAsync(Bound);
        await server.FirstClosed.Task.WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), server.Received.Select(f => f.CorrelationId));
        var (_, error) = Assert.Single(server.ClosedConnections);
        Assert.Null(error);
    }

    [Fact]
    public async Task A_graceful_close_while_the_peer_keeps_sending_requests_ends_cleanly_on_both_sides()
    {
        // The closing end must not close its socket with the peer's requests unread: the kernel would reset the
        // connection and the peer could lose the Close frame, taking its unanswered requests for lost.
        for (var round = 0; round < 5; round++)
        {
            var server = new EchoHandler();
            await using var listener = StartListener(server);
            var client = new ClientHandler();
            var connection = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, client, CancellationToken.None);
            await connection.SendAsync(FrameKind.Request, 1, new byte[16]);
            await WaitUntilAsync(() => !server.Received.IsEmpty, Bound, "the first request at the server");
            var accepted = server.Connections.Single();

            using var stop = new CancellationTokenSource();
            var sending = Task.Run(async () =>
            {
                var payload = new byte[32 * 1024];
                for (long id = 2; !stop.IsCancellationRequested; id++)
                {
                    try
                    {
                        await connection.SendAsync(FrameKind.Request, id, payload);
                    }
                    catch (ConnectionClosedException)
                    {
                        return;
                    }
                }
            });

            await WaitUntilAsync(() => server.Received.Count > 20, Bound, "requests flowing");
            await accepted.CloseAsync().WaitAsync(Bound);
            var clientError = await client.Closed.Task.WaitAsync(Bound);
            stop.Cancel();
            await sending.WaitAsync(Bound);

            Assert.Null(clientError);
            var (_, serverError) = Assert.Single(server.ClosedConnections);
            Assert.Null(serverError);
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_peer_that_disconnects_closes_the_connection_with_an_error()
    {
        var accepted = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new ConnectionListener(AnyLoopbackPort, Options(), ServerIdentity, new EchoHandler(), c => accepted.TrySetResult(c));
        listener.Start();
        var handler = new ClientHandler();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, handler, CancellationToken.None);

        (await accepted.Task.WaitAsync(Bound)).Close();

        Assert.IsType<ConnectionClosedException>(await handler.Closed.Task.WaitAsync(Bound));
        await Assert.ThrowsAsync<ConnectionClosedException>(() => connection.SendAsync(FrameKind.OneWay, 0, new byte[1]).AsTask());
    }

    [Fact]
    public async Task A_frame_above_the_maximum_size_is_refused_before_it_reaches_the_wire()
    {
        var options = Options();
        options.MaxFrameSize = 1024;
        await using var listener = StartListener(new EchoHandler(), options);
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint, options, ClientIdentity, new ClientHandler(), CancellationToken.None);

        Assert.Throws<ArgumentException>(() => connection.SendAsync(FrameKind.OneWay, 0, new byte[1024]));
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task An_oversized_frame_from_the_peer_closes_that_connection_with_a_protocol_error()
    {
        var options = Options();
        options.MaxFrameSize = 1024;
        var server = new EchoHandler();
        await using var listener = StartListener(server, options);
        using var raw = await ConnectRawAsync(listener.LocalEndPoint);
        await raw.SendAsync(HandshakeBytes(new HandshakeRequest(HandshakeCodec.Magic, 1, "test", ClientIdentity)), SocketFlags.None);
        await ReceiveFrameAsync(raw);

        await raw.SendAsync(FrameWriter.ToArray(new Frame(FrameKind.OneWay, 0, new byte[2048])), SocketFlags.None);

        await server.FirstClosed.Task.WaitAsync(Bound);
        Assert.IsType<TransportProtocolException>(Assert.Single(server.ClosedConnections).Error);
        await AssertClosedByPeerAsync(raw);
    }

    /// <summary>
    /// Sends 64 KiB frames until one stays pending. A pending send may still complete while kernel buffers
    /// absorb data, so each pending one gets a short grace period before it counts as blocked.
    /// </summary>
    private static async Task<Task> SendUntilBlockedAsync(Connection connection)
    {
        var payload = new byte[64 * 1024];
        long sent = 0;
        while (true)
        {
            Assert.True(sent < 1L << 30, "A gigabyte went out without SendAsync ever waiting: the queue is not bounded.");
            var send = connection.SendAsync(FrameKind.OneWay, 0, payload).AsTask();
            if (!send.IsCompleted && await Task.WhenAny(send, Task.Delay(250)) != send)
            {
                return send;
            }

            await send;
            sent += payload.Length;
        }
    }

    /// <summary>A raw TCP peer that completes the handshake by hand and then reads nothing until told to.</summary>
    private sealed class NonReadingPeer : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<Socket> _accepted;

        private NonReadingPeer(Socket listener)
        {
            _listener = listener;
            _accepted = AcceptAndHandshakeAsync();
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public Task Accepted => _accepted;

        public static Task<NonReadingPeer> StartAsync()
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // A small receive window makes the sender's socket fill up after little data.
            listener.ReceiveBufferSize = 4096;
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            return Task.FromResult(new NonReadingPeer(listener));
        }

        public void StartReading() => _ = DrainAsync();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            if (_accepted.IsCompletedSuccessfully)
            {
                _accepted.Result.Dispose();
            }

            _stop.Dispose();
        }

        private async Task<Socket> AcceptAndHandshakeAsync()
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            var handshake = await ReceiveFrameAsync(socket);
            var request = HandshakeCodec.DecodeRequest(handshake.Payload.Span);
            var ack = new HandshakeResponse(true, request.Version, ServerIdentity, string.Empty);
            await socket.SendAsync(FrameWriter.ToArray(new Frame(FrameKind.HandshakeAck, 0, HandshakeCodec.Encode(ack))), SocketFlags.None);
            return socket;
        }

        private async Task DrainAsync()
        {
            var socket = await _accepted;
            var buffer = new byte[256 * 1024];
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Disposed at the end of the test.
            }
        }
    }
}
