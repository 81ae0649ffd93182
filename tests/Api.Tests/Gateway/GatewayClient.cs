using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace WellWon.Api.Tests.Gateway;

/// <summary>A test client of the gateway over a real WebSocket: every frame it receives lands in a queue the test reads.</summary>
public sealed class GatewayClient : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private Task _heartbeating = Task.CompletedTask;

    private GatewayClient()
    {
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public WebSocketState State => _socket.State;

    /// <summary>Completes when the server closed (or the connection broke), with the close code if there was one.</summary>
    public Task<int?> Closed { get; private set; } = Task.FromResult<int?>(null);

    public string? SessionId { get; private set; }

    /// <summary>The highest dispatch seq read so far (set it before resuming: the next dispatch must follow it).</summary>
    public long LastSeq { get; set; }

    public static async Task<GatewayClient> ConnectAsync(Uri server)
    {
        var client = new GatewayClient();
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/gateway" }.Uri;
        await client._socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Wait);
        var closed = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Closed = closed.Task;
        client._receiving = client.ReceiveLoopAsync(closed);
        return client;
    }

    /// <summary>Connects, identifies and reads ready; heartbeats at the announced interval unless told not to.</summary>
    public static async Task<GatewayClient> IdentifyAsync(Uri server, string token, bool heartbeat = true)
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(new { op = "identify", token });
        var ready = await client.NextAsync();
        Assert.Equal("ready", ready.Str("op"));
        client.SessionId = ready.Str("sessionId");
        if (heartbeat)
        {
            client.StartHeartbeats(TimeSpan.FromMilliseconds(ready.GetProperty("heartbeatIntervalMs").GetInt64()));
        }

        return client;
    }

    public void StartHeartbeats(TimeSpan interval) =>
        _heartbeating = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval / 2);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await SendAsync(new { op = "heartbeat" });
                }
                catch (Exception e) when (e is WebSocketException or InvalidOperationException or ObjectDisposedException)
                {
                    return;
                }
            }
        });

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public async Task SendTextAsync(string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Wait);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Dispatch types NextAsync passes over (their seq still counts); presence by default, since every connect announces one.</summary>
    public HashSet<string> Ignored { get; } = ["PRESENCE_UPDATE"];

    /// <summary>The next frame other than heartbeat_ack and ignored dispatches.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait);
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(cts.Token);
            if (frame.Str("op") == "heartbeat_ack")
            {
                continue;
            }

            if (frame.Str("op") == "dispatch")
            {
                var seq = frame.GetProperty("seq").GetInt64();
                Assert.True(seq == LastSeq + 1, $"seq {seq} after {LastSeq}: sequence numbers must increase by one");
                LastSeq = seq;
                if (Ignored.Contains(frame.Str("type")))
                {
                    continue;
                }
            }

            return frame;
        }
    }

    /// <summary>The next dispatch (skipping control frames); fails on anything else.</summary>
    public async Task<JsonElement> NextDispatchAsync(TimeSpan? timeout = null)
    {
        var frame = await NextAsync(timeout);
        Assert.Equal("dispatch", frame.Str("op"));
        return frame;
    }

    /// <summary>Reads dispatches until one of <paramref name="type"/> matching the predicate; returns everything read.</summary>
    public async Task<List<JsonElement>> ReadUntilAsync(string type, Func<JsonElement, bool>? match = null)
    {
        var seen = new List<JsonElement>();
        while (true)
        {
            var frame = await NextDispatchAsync();
            seen.Add(frame);
            if (frame.Str("type") == type && (match is null || match(frame.GetProperty("data"))))
            {
                return seen;
            }
        }
    }

    /// <summary>Whether a frame is waiting right now (no waiting).</summary>
    public bool HasPending(out JsonElement frame) => _frames.Reader.TryPeek(out frame);

    /// <summary>Drops the connection without a close handshake (a network failure, as the server sees it).</summary>
    public void Abort()
    {
        _stop.Cancel();
        _socket.Abort();
    }

    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        _stop.Cancel();
        try
        {
            await _socket.CloseOutputAsync(status, "bye", CancellationToken.None).WaitAsync(Wait);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Abort();
        try
        {
            await Task.WhenAll(_receiving, _heartbeating).WaitAsync(Wait);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReceiveLoopAsync(TaskCompletionSource<int?> closed)
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    closed.TrySetResult((int?)result.CloseStatus);
                    _frames.Writer.TryComplete();
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _frames.Writer.TryWrite(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            closed.TrySetResult(null);
            _frames.Writer.TryComplete();
        }
    }
}
