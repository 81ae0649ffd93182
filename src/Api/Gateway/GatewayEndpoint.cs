using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace WellWon.Api.Gateway;

/// <summary>GET /gateway: the WebSocket endpoint, and the receive loop of one connection.</summary>
public static class GatewayEndpoint
{
    /// <summary>Maps the gateway.</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/gateway", HandleAsync)
            .WithTags("Gateway").WithName("Gateway")
            .WithSummary("Upgrades to the real-time WebSocket gateway (docs/gateway.md); 400 for a plain HTTP request.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiErrors.Problem(StatusCodes.Status400BadRequest, "GET /gateway must be a WebSocket upgrade request.").ExecuteAsync(context);
            return;
        }

        var node = context.RequestServices.GetRequiredService<GatewayNode>();
        var tokens = context.RequestServices.GetRequiredService<TokenService>();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        GatewayMetrics.ConnectionsChanged(1);
        try
        {
            await new GatewayConnection(node, tokens, socket).RunAsync(context.RequestAborted);
        }
        finally
        {
            GatewayMetrics.ConnectionsChanged(-1);
        }
    }
}

/// <summary>The receive side of one connection: identify or resume, then heartbeats. Sending belongs to the session.</summary>
internal sealed class GatewayConnection(GatewayNode node, TokenService tokens, WebSocket socket)
{
    private readonly GatewayOptions _options = node.Options;
    // Client frames are tiny (a heartbeat is 18 bytes): a small buffer of its own per connection, a pooled one only for
    // the rare larger frame, so an idle connection does not hold MaxClientFrameBytes.
    private const int SmallFrameBytes = 512;
    private byte[] _buffer = new byte[SmallFrameBytes];
    private GatewaySession? _session;

    public async Task RunAsync(CancellationToken aborted)
    {
        var end = false;
        try
        {
            while (true)
            {
                var receive = ReceiveAsync(aborted);
                if (_session is null)
                {
                    // Until identified, the connection has the identify timeout; afterwards silence is the sweep's business.
                    var winner = await Task.WhenAny(receive, Task.Delay(_options.IdentifyTimeout, aborted));
                    if (winner != receive)
                    {
                        await CloseAsync(GatewayCloseCodes.NotIdentified, "identify or resume expected in time");
                        return;
                    }
                }

                var (kind, length, closeStatus) = await receive;
                switch (kind)
                {
                    case FrameKind.Closed:
                        // 1000 (normal) and 1001 (going away) from the client end the session; anything else may resume.
                        end = closeStatus is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable;
                        return;
                    case FrameKind.TooLarge:
                        await CloseAsync(GatewayCloseCodes.DecodeError, $"frames are at most {_options.MaxClientFrameBytes} bytes");
                        return;
                    case FrameKind.Binary:
                        await CloseAsync(GatewayCloseCodes.DecodeError, "frames are JSON text");
                        return;
                }

                var handled = await HandleAsync(_buffer.AsMemory(0, length), aborted);
                ReturnLargeBuffer();
                if (!handled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or ConnectionAbortedException)
        {
            // The connection broke (or the node aborted it): the session stays resumable.
        }
        finally
        {
            ReturnLargeBuffer();
            if (_session is { } session)
            {
                node.Disconnected(session, socket, end);
            }
        }
    }

    /// <summary>Handles one client frame; false when the connection was closed.</summary>
    private async Task<bool> HandleAsync(ReadOnlyMemory<byte> frame, CancellationToken aborted)
    {
        if (GatewayFrames.Parse(frame.Span, out var error) is not { } parsed)
        {
            await CloseAsync(GatewayCloseCodes.DecodeError, error ?? "bad frame");
            return false;
        }

        switch (parsed.Op)
        {
            case "heartbeat":
                if (_session is null)
                {
                    await CloseAsync(GatewayCloseCodes.NotIdentified, "identify first");
                    return false;
                }

                node.Heard(_session, heartbeat: true);
                return true;

            case "identify" or "resume" when _session is not null:
                node.Heard(_session, heartbeat: false);
                await CloseSessionAsync(GatewayCloseCodes.AlreadyIdentified, "already identified");
                return false;

            case "identify":
            {
                if (tokens.Validate(parsed.Token, out var userId) != TokenFailure.None)
                {
                    await CloseAsync(GatewayCloseCodes.AuthenticationFailed, "authentication failed");
                    return false;
                }

                try
                {
                    _session = await node.IdentifyAsync(userId, socket, aborted);
                }
                catch (GatewaySessionLimitException e)
                {
                    await CloseAsync(GatewayCloseCodes.TooManySessions, e.Message);
                    return false;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await CloseAsync(GatewayCloseCodes.ServerError, "could not start the session; identify again");
                    return false;
                }

                return true;
            }

            case "resume":
            {
                if (tokens.Validate(parsed.Token, out var userId) != TokenFailure.None)
                {
                    await CloseAsync(GatewayCloseCodes.AuthenticationFailed, "authentication failed");
                    return false;
                }

                if (parsed.SessionId is not { Length: > 0 and <= 64 } sessionId || parsed.Seq is not { } seq)
                {
                    await CloseAsync(GatewayCloseCodes.DecodeError, "resume needs sessionId and seq");
                    return false;
                }

                _session = node.TryResume(sessionId, userId, seq, socket);
                if (_session is null)
                {
                    // Nothing else is sending on this connection yet; the client may identify on it.
                    await socket.SendAsync(GatewayFrames.InvalidSession, WebSocketMessageType.Text, endOfMessage: true, aborted);
                }

                return true;
            }

            default:
                await CloseSessionAsync(GatewayCloseCodes.UnknownOp, "unknown op");
                return false;
        }
    }

    private async Task CloseSessionAsync(int code, string reason)
    {
        if (_session is { } session && session.DetachForClose(socket))
        {
            socket.Abort();
            return;
        }

        await CloseAsync(code, reason);
    }

    private async Task CloseAsync(int code, string reason)
    {
        try
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private async Task<(FrameKind Kind, int Length, WebSocketCloseStatus? CloseStatus)> ReceiveAsync(CancellationToken aborted)
    {
        var length = 0;
        var limit = _options.MaxClientFrameBytes;
        while (true)
        {
            if (length >= limit)
            {
                return (FrameKind.TooLarge, 0, null);
            }

            if (length == _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(limit);
                _buffer.AsSpan(0, length).CopyTo(larger);
                _buffer = larger;
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(length, Math.Min(_buffer.Length, limit) - length), aborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (FrameKind.Closed, 0, socket.CloseStatus);
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return (FrameKind.Binary, 0, null);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (FrameKind.Text, length, null);
            }
        }
    }

    private void ReturnLargeBuffer()
    {
        if (_buffer.Length > SmallFrameBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = new byte[SmallFrameBytes];
        }
    }

    private enum FrameKind
    {
        Text,
        Binary,
        TooLarge,
        Closed,
    }
}
