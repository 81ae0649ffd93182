using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WellWon.Api.Gateway;
using WellWon.Testing;

namespace WellWon.Api.Tests.Gateway;

/// <summary>The session's queue, shedding and replay against a socket whose sends complete only when the test says so.</summary>
public sealed class GatewaySessionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static readonly GatewayOptions Options = new() { ShedThreshold = 2, SendQueueLimit = 8, ReplayLimit = 12 };

    [Fact]
    public async Task Under_pressure_typing_and_presence_are_shed_without_leaving_a_gap_in_seq()
    {
        var socket = new GatedWebSocket();
        var session = NewSession();
        session.Attach(socket, 0, resumed: false, TimeSpan.FromSeconds(30), 0);
        await Eventually.WaitUntil(() => socket.Waiting, Wait, "the ready frame to be in flight");

        Assert.Equal(EnqueueResult.Queued, session.Enqueue(Message(1)));
        Assert.Equal(EnqueueResult.Queued, session.Enqueue(Typing()));
        Assert.Equal(EnqueueResult.Queued, session.Enqueue(Message(2)));
        Assert.Equal(EnqueueResult.Shed, session.Enqueue(Typing()));
        Assert.Equal(EnqueueResult.Shed, session.Enqueue(Presence()));
        Assert.Equal(EnqueueResult.Queued, session.Enqueue(Message(3)));

        socket.OpenGate();
        await Eventually.WaitUntil(() => socket.Frames.Count == 5, Wait, "ready and four dispatches");
        var frames = socket.Frames.Select(f => JsonDocument.Parse(f).RootElement).ToArray();
        Assert.Equal("ready", frames[0].Str("op"));
        Assert.Equal([1L, 2, 3, 4], frames.Skip(1).Select(f => f.GetProperty("seq").GetInt64()));
        Assert.Equal(["MESSAGE_CREATE", "TYPING_START", "MESSAGE_CREATE", "MESSAGE_CREATE"], frames.Skip(1).Select(f => f.Str("type")));
        Assert.Equal(0, session.Pending);
    }

    [Fact]
    public async Task A_connection_that_falls_behind_the_send_queue_limit_is_aborted_and_the_session_can_resume()
    {
        var socket = new GatedWebSocket();
        var session = NewSession();
        session.Attach(socket, 0, resumed: false, TimeSpan.FromSeconds(30), 0);
        await Eventually.WaitUntil(() => socket.Waiting, Wait, "the ready frame to be in flight");

        for (var i = 1; i <= 8; i++)
        {
            Assert.Equal(EnqueueResult.Queued, session.Enqueue(Message(i)));
        }

        Assert.Equal(EnqueueResult.Overflowed, session.Enqueue(Message(9)));
        Assert.True(socket.Aborted);
        Assert.False(session.IsAttached);

        // Detached: messages keep their numbers, typing is shed; the oldest beyond the replay limit (12) are forgotten.
        Assert.Equal(EnqueueResult.Shed, session.Enqueue(Typing()));
        for (var i = 10; i <= 14; i++)
        {
            Assert.Equal(EnqueueResult.Queued, session.Enqueue(Message(i)));
        }

        Assert.Equal(14, session.Seq);
        Assert.Equal(12, session.Buffered);
        Assert.False(session.CanResumeFrom(1));
        Assert.True(session.CanResumeFrom(2));

        var fresh = new GatedWebSocket();
        fresh.OpenGate();
        Assert.False(session.Attach(fresh, 0, resumed: true, TimeSpan.FromSeconds(30), 0));
        Assert.True(session.Attach(fresh, 10, resumed: true, TimeSpan.FromSeconds(30), 0));
        await Eventually.WaitUntil(() => fresh.Frames.Count == 5, Wait, "ready and the four missed dispatches");
        Assert.Equal([11L, 12, 13, 14], fresh.Frames.Skip(1).Select(f => JsonDocument.Parse(f).RootElement.GetProperty("seq").GetInt64()));
        var ready = JsonDocument.Parse(fresh.Frames[0]).RootElement;
        Assert.True(ready.GetProperty("resumed").GetBoolean());
        Assert.Equal(14, ready.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void Frames_are_the_envelope_around_the_shared_data()
    {
        var dispatch = new Dispatch("MESSAGE_CREATE", Encoding.UTF8.GetBytes("{\"id\":\"1\"}"), ephemeral: false);
        Assert.Equal("{\"op\":\"dispatch\",\"seq\":12345678901,\"type\":\"MESSAGE_CREATE\",\"data\":{\"id\":\"1\"}}", dispatch.ToFrame(12345678901));
    }

    private static GatewaySession NewSession() => new("s", Guid.NewGuid(), Options, 0);

    private static Dispatch Message(int n) => new("MESSAGE_CREATE", Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), ephemeral: false);

    private static Dispatch Typing() => new("TYPING_START", "{}"u8.ToArray(), ephemeral: true);

    private static Dispatch Presence() => new("PRESENCE_UPDATE", "{}"u8.ToArray(), ephemeral: true);

    /// <summary>Sends wait at a gate the test opens; every sent frame is recorded.</summary>
    private sealed class GatedWebSocket : WebSocket
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _frames = [];
        private volatile bool _waiting;

        public bool Waiting => _waiting;

        public bool Aborted { get; private set; }

        public IReadOnlyList<string> Frames
        {
            get
            {
                lock (_frames)
                {
                    return [.. _frames];
                }
            }
        }

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;

        public override string? SubProtocol => null;

        public void OpenGate() => _gate.TrySetResult();

        public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            var text = Encoding.UTF8.GetString(buffer.Span);
            _waiting = true;
            await _gate.Task;
            if (Aborted)
            {
                throw new WebSocketException("aborted");
            }

            lock (_frames)
            {
                _frames.Add(text);
            }
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override void Abort()
        {
            Aborted = true;
            _gate.TrySetResult();
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override void Dispose()
        {
        }
    }
}
