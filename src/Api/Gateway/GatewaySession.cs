using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;

namespace WellWon.Api.Gateway;

/// <summary>
/// One gateway session: its sequence numbers, its replay buffer (which is also its send queue: dispatches after
/// <c>_sentSeq</c> are unsent), and the connection it is attached to, if any. A session outlives its connection by the
/// resume window. All state is guarded by the session's lock; sending runs in a pump on the thread pool that exists only
/// while there is something to send, so an idle session costs no task and no buffer.
/// </summary>
internal sealed class GatewaySession
{
    private readonly object _lock = new();
    private readonly GatewayOptions _options;
    private Entry[] _ring = [];
    private int _head;
    private int _count;
    private long _seq;
    private long _sentSeq;
    private Queue<byte[]>? _control;
    private WebSocket? _socket;
    private int _generation;
    private bool _pumping;
    private long _sendStartedAt;

    public GatewaySession(string id, Guid userId, GatewayOptions options, long now)
    {
        Id = id;
        UserId = userId;
        _options = options;
        LastHeardAt = now;
        DetachedAt = now;
    }

    public string Id { get; }

    public Guid UserId { get; }

    /// <summary>Stopwatch timestamp of the last frame from the client.</summary>
    public long LastHeardAt { get; set; }

    /// <summary>Stopwatch timestamp when the session lost (or never had) its connection; meaningful while detached.</summary>
    public long DetachedAt { get; private set; }

    /// <summary>The session was ended for good (clean close, resume window passed, or node stopping).</summary>
    public bool Ended { get; private set; }

    public bool IsAttached
    {
        get
        {
            lock (_lock)
            {
                return _socket is not null;
            }
        }
    }

    /// <summary>The last sequence number handed out.</summary>
    public long Seq
    {
        get
        {
            lock (_lock)
            {
                return _seq;
            }
        }
    }

    /// <summary>Dispatches queued on the current connection but not yet sent.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return _socket is null ? 0 : _seq - _sentSeq;
            }
        }
    }

    /// <summary>Entries held for replay (tests and memory accounting).</summary>
    public int Buffered
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// Queues a dispatch: assigns the next sequence number and keeps it for replay. TYPING_START and PRESENCE_UPDATE
    /// are dropped (without a sequence number, so there is never a gap) while detached or when more than the shed
    /// threshold is unsent; a connection with more than the send-queue limit unsent is closed as too slow (4010).
    /// </summary>
    public EnqueueResult Enqueue(Dispatch dispatch)
    {
        WebSocket? abort = null;
        var schedule = -1;
        EnqueueResult result;
        lock (_lock)
        {
            if (Ended)
            {
                return EnqueueResult.Dropped;
            }

            var pending = _seq - _sentSeq;
            if (dispatch.Ephemeral && (_socket is null || pending >= _options.ShedThreshold))
            {
                return EnqueueResult.Shed;
            }

            _seq++;
            Append(new Entry(_seq, dispatch, Stopwatch.GetTimestamp()));
            result = EnqueueResult.Queued;
            if (_socket is not null)
            {
                if (pending + 1 > _options.SendQueueLimit)
                {
                    abort = DetachLocked();
                    result = EnqueueResult.Overflowed;
                }
                else if (!_pumping)
                {
                    _pumping = true;
                    schedule = _generation;
                }
            }
        }

        if (abort is not null)
        {
            Abort(abort);
        }
        else if (schedule >= 0)
        {
            StartPump(schedule);
        }

        return result;
    }

    /// <summary>Whether a resume from <paramref name="seq"/> can replay everything after it.</summary>
    public bool CanResumeFrom(long seq)
    {
        lock (_lock)
        {
            return !Ended && seq <= _seq && (seq == _seq || (_count > 0 && _ring[_head].Seq <= seq + 1));
        }
    }

    /// <summary>
    /// Attaches a connection: sends ready, then every dispatch after <paramref name="fromSeq"/>. A previous connection is
    /// closed with 4011. Returns false when the session cannot replay from there (ended or buffer evicted).
    /// </summary>
    public bool Attach(WebSocket socket, long fromSeq, bool resumed, TimeSpan heartbeat, long now)
    {
        WebSocket? previous;
        int generation;
        lock (_lock)
        {
            if (Ended || fromSeq > _seq || (fromSeq < _seq && (_count == 0 || _ring[_head].Seq > fromSeq + 1)))
            {
                return false;
            }

            previous = DetachLocked();
            _generation++;
            _socket = socket;
            _sentSeq = fromSeq;
            _control = new Queue<byte[]>(2);
            _control.Enqueue(GatewayFrames.Ready(Id, UserId, heartbeat, resumed, _seq));
            LastHeardAt = now;
            _pumping = true;
            generation = _generation;
        }

        if (previous is not null)
        {
            CloseQuietly(previous, GatewayCloseCodes.SessionReplaced, "session resumed on another connection");
        }

        StartPump(generation);
        return true;
    }

    /// <summary>Queues a control frame (heartbeat_ack) ahead of dispatches.</summary>
    public void SendControl(byte[] frame)
    {
        int generation;
        lock (_lock)
        {
            if (_socket is null)
            {
                return;
            }

            (_control ??= new Queue<byte[]>(2)).Enqueue(frame);
            if (_pumping)
            {
                return;
            }

            _pumping = true;
            generation = _generation;
        }

        StartPump(generation);
    }

    /// <summary>The connection ended (the receive loop saw a close or an error). Ends the session when <paramref name="end"/>.</summary>
    public void Detach(WebSocket socket, bool end)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket))
            {
                DetachLocked();
            }

            if (end && _socket is null)
            {
                EndLocked();
            }
        }
    }

    /// <summary>
    /// Closes the current connection with a code (the session stays resumable). If a send is in flight the connection is
    /// aborted instead: the peer is not reading, and two sends may not overlap.
    /// </summary>
    public void Close(int code, string reason)
    {
        WebSocket? socket;
        bool busy;
        lock (_lock)
        {
            busy = _sendStartedAt != 0;
            socket = DetachLocked();
        }

        if (socket is null)
        {
            return;
        }

        if (busy)
        {
            Abort(socket);
        }
        else
        {
            CloseQuietly(socket, code, reason);
        }
    }

    /// <summary>
    /// Detaches <paramref name="socket"/> so its owner (the receive loop) can close it itself; true when a send was in
    /// flight, in which case the owner must abort rather than send a close frame.
    /// </summary>
    public bool DetachForClose(WebSocket socket)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_socket, socket))
            {
                return false;
            }

            var busy = _sendStartedAt != 0;
            DetachLocked();
            return busy;
        }
    }

    /// <summary>Ends the session for good, closing its connection with <paramref name="code"/> if it has one.</summary>
    public void End(int code, string reason)
    {
        Close(code, reason);
        lock (_lock)
        {
            EndLocked();
        }
    }

    /// <summary>A send in flight since before <paramref name="deadline"/> (Stopwatch timestamp).</summary>
    public bool IsSendStuck(long deadline)
    {
        lock (_lock)
        {
            return _sendStartedAt != 0 && _sendStartedAt < deadline;
        }
    }

    /// <summary>Drops sent entries older than <paramref name="cutoff"/> (Stopwatch timestamp) to free memory.</summary>
    public void TrimReplay(long cutoff)
    {
        lock (_lock)
        {
            while (_count > 0 && _ring[_head].Timestamp < cutoff && (_socket is null || _ring[_head].Seq <= _sentSeq))
            {
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
            }

            if (_count == 0)
            {
                _ring = [];
                _head = 0;
            }
            else if (_ring.Length >= 64 && _count * 4 <= _ring.Length)
            {
                // A burst grew the ring; give the memory back once the burst has aged out.
                var shrunk = new Entry[Math.Max(4, _count * 2)];
                for (var i = 0; i < _count; i++)
                {
                    shrunk[i] = _ring[(_head + i) % _ring.Length];
                }

                _ring = shrunk;
                _head = 0;
            }
        }
    }

    private void Append(Entry entry)
    {
        if (_count == _ring.Length)
        {
            if (_count >= _options.ReplayLimit)
            {
                // Full: forget the oldest (a resume from before it gets invalid_session).
                _ring[_head] = entry;
                _head = (_head + 1) % _ring.Length;
                return;
            }

            var grown = new Entry[Math.Min(Math.Max(4, _ring.Length * 2), _options.ReplayLimit)];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = _ring[(_head + i) % _ring.Length];
            }

            _ring = grown;
            _head = 0;
        }

        _ring[(_head + _count) % _ring.Length] = entry;
        _count++;
    }

    private Entry EntryAt(long seq) => _ring[(int)((_head + (seq - _ring[_head].Seq)) % _ring.Length)];

    private WebSocket? DetachLocked()
    {
        var socket = _socket;
        if (socket is null)
        {
            return null;
        }

        _socket = null;
        _generation++;
        _pumping = false;
        _control = null;
        _sendStartedAt = 0;
        DetachedAt = Stopwatch.GetTimestamp();
        return socket;
    }

    private void EndLocked()
    {
        Ended = true;
        _ring = [];
        _count = 0;
        _head = 0;
    }

    private void StartPump(int generation) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.session.PumpAsync(s.generation), (session: this, generation), preferLocal: false);

    private async Task PumpAsync(int generation)
    {
        WebSocket? socket = null;
        try
        {
            while (true)
            {
                byte[]? control = null;
                Entry entry = default;
                lock (_lock)
                {
                    if (generation != _generation || _socket is null)
                    {
                        return;
                    }

                    socket = _socket;
                    if (_control is { Count: > 0 })
                    {
                        control = _control.Dequeue();
                    }
                    else if (_sentSeq < _seq)
                    {
                        entry = EntryAt(_sentSeq + 1);
                    }
                    else
                    {
                        _pumping = false;
                        return;
                    }

                    _sendStartedAt = Stopwatch.GetTimestamp();
                }

                if (control is not null)
                {
                    await socket.SendAsync(control, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(entry.Dispatch.MaxFrameLength);
                    try
                    {
                        var length = entry.Dispatch.WriteFrame(entry.Seq, buffer);
                        await socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    GatewayMetrics.Sent.Add(1);
                }

                lock (_lock)
                {
                    if (generation != _generation)
                    {
                        return;
                    }

                    _sendStartedAt = 0;
                    if (control is null && entry.Seq == _sentSeq + 1)
                    {
                        _sentSeq = entry.Seq;
                    }
                }
            }
        }
#pragma warning disable CA1031 // A failed send ends this connection only; the session stays resumable.
        catch (Exception)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                if (generation == _generation)
                {
                    DetachLocked();
                }
            }

            if (socket is not null)
            {
                Abort(socket);
            }
        }
    }

    private static void Abort(WebSocket socket)
    {
        try
        {
            socket.Abort();
        }
#pragma warning disable CA1031 // Aborting an already broken socket is fine.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Sends a close frame and aborts shortly after whether or not the peer answered.</summary>
    internal static void CloseQuietly(WebSocket socket, int code, string reason) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best effort: the peer may be gone.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            Abort(socket);
        });

    private readonly record struct Entry(long Seq, Dispatch Dispatch, long Timestamp);
}

/// <summary>What <see cref="GatewaySession.Enqueue"/> did.</summary>
internal enum EnqueueResult
{
    Queued,
    Shed,
    Overflowed,
    Dropped,
}
