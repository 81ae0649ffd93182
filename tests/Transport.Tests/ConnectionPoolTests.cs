using System.Net;
using System.Net.Sockets;
using static WellWon.Runtime.Transport.Tests.TestSupport;

namespace WellWon.Runtime.Transport.Tests;

public sealed class ConnectionPoolTests
{
    [Fact]
    public async Task Concurrent_first_callers_share_one_connect_attempt_and_one_connection()
    {
        await using var listener = StartListener(new EchoHandler());
        await using var pool = new ConnectionPool(Options(), ClientIdentity, new ClientHandler());

        var connections = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => pool.GetAsync(listener.LocalEndPoint).AsTask())).WaitAsync(Bound);

        Assert.All(connections, c => Assert.Same(connections[0], c));
        Assert.Equal(1, pool.ConnectAttempts);
    }

    [Fact]
    public async Task Requests_are_spread_over_the_configured_number_of_connections_per_endpoint()
    {
        var options = Options();
        options.ConnectionsPerEndpoint = 3;
        await using var listener = StartListener(new EchoHandler());
        await using var pool = new ConnectionPool(options, ClientIdentity, new ClientHandler());

        var connections = new HashSet<Connection>();
        for (var i = 0; i < 9; i++)
        {
            connections.Add(await pool.GetAsync(listener.LocalEndPoint).AsTask().WaitAsync(Bound));
        }

        Assert.Equal(3, connections.Count);
    }

    [Fact]
    public async Task A_closed_connection_is_replaced_on_the_next_request()
    {
        await using var listener = StartListener(new EchoHandler());
        var handler = new ClientHandler();
        await using var pool = new ConnectionPool(Options(), ClientIdentity, handler);
        var first = await pool.GetAsync(listener.LocalEndPoint).AsTask().WaitAsync(Bound);

        first.Close();
        // The shared test handler fails every pending request when a connection closes; let that happen first.
        await first.Closed.WaitAsync(Bound);
        var second = await pool.GetAsync(listener.LocalEndPoint).AsTask().WaitAsync(Bound);

        Assert.NotSame(first, second);
        Assert.Equal(new byte[] { 7 }, (await RoundTripAsync(second, handler, [7])).Payload.ToArray());
    }

    [Fact]
    public async Task After_the_server_dies_sends_fail_fast_and_the_pool_reconnects_once_it_is_back_on_the_same_port()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Options();
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(1);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(2);
        var handler = new ClientHandler();
        await using var pool = new ConnectionPool(options, ClientIdentity, handler, time);
        var server = StartListener(new EchoHandler());
        var endPoint = server.LocalEndPoint;
        var before = await pool.GetAsync(endPoint).AsTask().WaitAsync(Bound);
        await RoundTripAsync(before, handler, [1]);

        await server.DisposeAsync();
        await before.Closed.WaitAsync(Bound);

        await Assert.ThrowsAsync<ConnectionClosedException>(() => before.SendAsync(FrameKind.OneWay, 0, new byte[1]).AsTask());
        await Assert.ThrowsAsync<SocketException>(() => pool.GetAsync(endPoint).AsTask().WaitAsync(Bound));
        var attempts = pool.ConnectAttempts;
        var unavailable = await Assert.ThrowsAsync<EndpointUnavailableException>(() => pool.GetAsync(endPoint).AsTask());
        Assert.IsType<SocketException>(unavailable.InnerException);
        Assert.Equal(attempts, pool.ConnectAttempts);

        await using var restarted = StartListener(new EchoHandler(), port: endPoint.Port);
        time.Advance(options.ReconnectMaxDelay);
        var after = await pool.GetAsync(endPoint).AsTask().WaitAsync(Bound);

        Assert.NotSame(before, after);
        Assert.Equal(new byte[] { 2 }, (await RoundTripAsync(after, handler, [2])).Payload.ToArray());
    }

    [Fact]
    public async Task Consecutive_failures_back_off_exponentially_up_to_the_maximum()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Options();
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(1);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(4);
        await using var pool = new ConnectionPool(options, ClientIdentity, new ClientHandler(), time);
        var endPoint = UnusedLoopbackEndPoint();

        var windows = new List<TimeSpan>();
        for (var failure = 0; failure < 5; failure++)
        {
            await Assert.ThrowsAsync<SocketException>(() => pool.GetAsync(endPoint).AsTask().WaitAsync(Bound));
            var unavailable = await Assert.ThrowsAsync<EndpointUnavailableException>(() => pool.GetAsync(endPoint).AsTask());
            windows.Add(unavailable.RetryAt - time.GetUtcNow());
            time.Advance(unavailable.RetryAt - time.GetUtcNow());
        }

        // Equal jitter: each window lies in [half, all] of min(max, base * 2^(n-1)).
        double[] ceilings = [1, 2, 4, 4, 4];
        for (var i = 0; i < windows.Count; i++)
        {
            Assert.InRange(windows[i].TotalSeconds, ceilings[i] / 2, ceilings[i]);
        }

        Assert.Equal(5, pool.ConnectAttempts);
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_does_not_cancel_the_connect_attempt_others_share()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        mute.Listen();
        var options = Options();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        await using var pool = new ConnectionPool(options, ClientIdentity, new ClientHandler());
        var endPoint = (IPEndPoint)mute.LocalEndPoint!;
        using var impatient = new CancellationTokenSource();

        var first = pool.GetAsync(endPoint, impatient.Token).AsTask();
        var second = pool.GetAsync(endPoint).AsTask();
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound));
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(Bound));
        Assert.Equal(1, pool.ConnectAttempts);
    }

    [Fact]
    public async Task A_handshake_rejection_is_reported_and_backed_off_like_any_connect_failure()
    {
        await using var listener = StartListener(new EchoHandler(), Options("other"));
        await using var pool = new ConnectionPool(Options(), ClientIdentity, new ClientHandler());

        await Assert.ThrowsAsync<ConnectionRejectedException>(() => pool.GetAsync(listener.LocalEndPoint).AsTask().WaitAsync(Bound));
        var unavailable = await Assert.ThrowsAsync<EndpointUnavailableException>(() => pool.GetAsync(listener.LocalEndPoint).AsTask());

        Assert.IsType<ConnectionRejectedException>(unavailable.InnerException);
    }

    [Fact]
    public async Task Disposing_the_pool_closes_its_connections()
    {
        await using var listener = StartListener(new EchoHandler());
        var pool = new ConnectionPool(Options(), ClientIdentity, new ClientHandler());
        var connection = await pool.GetAsync(listener.LocalEndPoint).AsTask().WaitAsync(Bound);

        await pool.DisposeAsync();

        Assert.True(connection.Closed.IsCompleted);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.GetAsync(listener.LocalEndPoint).AsTask());
    }

    private static IPEndPoint UnusedLoopbackEndPoint()
    {
        // Bind and release a port: nothing listens there afterwards, so connects are refused at once.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
