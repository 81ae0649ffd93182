using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace WellWon.Runtime.Transport.Tests;

/// <summary>Shared bounds and builders: every wait in these tests is bounded so a bug fails instead of hanging.</summary>
internal static class TestSupport
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static readonly PeerIdentity ServerIdentity = new(TransportRole.Silo, "127.0.0.1:1@1");

    public static readonly PeerIdentity ClientIdentity = PeerIdentity.ForClient("client-1");

    public static TransportOptions Options(string clusterId = "test") => new() { ClusterId = clusterId };

    public static IPEndPoint AnyLoopbackPort => new(IPAddress.Loopback, 0);

    public static ConnectionListener StartListener(IFrameHandler handler, TransportOptions? options = null, int port = 0)
    {
        var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, port), options ?? Options(), ServerIdentity, handler);
        listener.Start();
        return listener;
    }

    public static async Task<Frame> RoundTripAsync(Connection connection, ClientHandler client, byte[] payload)
    {
        var id = client.Pending.NextId();
        var response = client.Pending.Register(id, CancellationToken.None);
        await connection.SendAsync(FrameKind.Request, id, payload);
        return await response.WaitAsync(Bound);
    }

    /// <summary>Polls a condition until it holds; fails naming it after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Reads from a raw socket until the other end closes it (EOF or reset).</summary>
    public static async Task AssertClosedByPeerAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Bound);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // A reset is a close as well.
        }
    }

    /// <summary>Reads exactly one frame from a raw socket (the handshake ack, in tests that play the peer by hand).</summary>
    public static async Task<Frame> ReceiveFrameAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Bound);
        var parser = new FrameParser();
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(received.ToArray());
            if (parser.TryRead(ref sequence, out var frame))
            {
                return frame;
            }

            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new IOException("Closed before a whole frame arrived.");
            }

            received.AddRange(buffer.AsSpan(0, n));
        }
    }

    public static async Task<Socket> ConnectRawAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(endPoint, cts.Token);
        return socket;
    }

    public static byte[] HandshakeBytes(HandshakeRequest request) =>
        FrameWriter.ToArray(new Frame(FrameKind.Handshake, 0, HandshakeCodec.Encode(request)));
}

/// <summary>Server side: answers every request with a response carrying the same correlation ID and payload.</summary>
internal sealed class EchoHandler : IFrameHandler
{
    public ConcurrentQueue<Frame> Received { get; } = new();

    public ConcurrentQueue<(Connection Connection, Exception? Error)> ClosedConnections { get; } = new();

    public TaskCompletionSource FirstClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The connections frames arrived on.</summary>
    public ConcurrentDictionary<Connection, bool> SeenConnections { get; } = new();

    public IReadOnlyCollection<Connection> Connections => [.. SeenConnections.Keys];

    public void OnFrame(Connection connection, Frame frame)
    {
        SeenConnections.TryAdd(connection, true);
        Received.Enqueue(frame);
        if (frame.Kind == FrameKind.Request)
        {
            // Handlers must not block: the send usually completes synchronously; otherwise let it finish alone.
            var send = connection.SendAsync(FrameKind.Response, frame.CorrelationId, frame.Payload);
            if (!send.IsCompletedSuccessfully)
            {
                _ = send.AsTask();
            }
        }
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        ClosedConnections.Enqueue((connection, error));
        FirstClosed.TrySetResult();
    }
}

/// <summary>Client side: completes pending requests from responses.</summary>
internal sealed class ClientHandler : IFrameHandler
{
    private int _closedCalls;

    public CorrelationTable<Frame> Pending { get; } = new();

    public int ClosedCalls => Volatile.Read(ref _closedCalls);

    public TaskCompletionSource<Exception?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnFrame(Connection connection, Frame frame)
    {
        if (frame.Kind == FrameKind.Response)
        {
            Pending.TryComplete(frame.CorrelationId, frame);
        }
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        Interlocked.Increment(ref _closedCalls);
        Pending.FailAll(new ConnectionClosedException("closed", error));
        Closed.TrySetResult(error);
    }
}

/// <summary>A clock the test moves by hand (backoff windows without waiting).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// An in-memory transport whose peer side the test drives by hand. The outbound pipe pauses the writer after
/// a few bytes, so a peer that does not read blocks the connection's writer loop deterministically.
/// </summary>
internal sealed class PipeTransport : IConnectionTransport
{
    private readonly System.IO.Pipelines.Pipe _toPeer = new(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
    private readonly System.IO.Pipelines.Pipe _fromPeer = new();

    public System.IO.Pipelines.PipeReader Input => _fromPeer.Reader;

    public System.IO.Pipelines.PipeWriter Output => _toPeer.Writer;

    /// <summary>What the connection wrote; read it to play a peer that reads.</summary>
    public System.IO.Pipelines.PipeReader PeerInput => _toPeer.Reader;

    /// <summary>Where the peer's bytes go.</summary>
    public System.IO.Pipelines.PipeWriter PeerOutput => _fromPeer.Writer;

    public EndPoint? RemoteEndPoint => null;

    public EndPoint? LocalEndPoint => null;

    public bool IsDisposed { get; private set; }

    /// <summary>Queues the acceptor's "accepted" ack so a connector's handshake completes without a peer loop.</summary>
    public async Task AcceptHandshakeAsync()
    {
        var ack = new HandshakeResponse(true, HandshakeCodec.ProtocolVersion, TestSupport.ServerIdentity, string.Empty);
        FrameWriter.Write(PeerOutput, FrameKind.HandshakeAck, 0, HandshakeCodec.Encode(ack));
        await PeerOutput.FlushAsync();
    }

    public async Task DrainAsync()
    {
        while (true)
        {
            var result = await PeerInput.ReadAsync();
            PeerInput.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        // Like a closed socket: the connection's pending reads end and its writes stop.
        IsDisposed = true;
        _fromPeer.Writer.Complete();
        _toPeer.Reader.Complete();
    }
}
