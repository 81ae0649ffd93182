using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Messaging;
using WellWon.Runtime.Serialization;
using WellWon.Runtime.Transport;

namespace WellWon.Runtime.Cluster;

/// <summary>Incoming frames and the membership transport. Everything here runs on a connection's read loop and must not block.</summary>
internal sealed partial class ClusterFabric
{
    private void OnAccepted(Connection connection)
    {
        if (connection.RemoteIdentity.Role == TransportRole.Client)
        {
            _clients[connection.RemoteIdentity.Id] = connection;
        }
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        if (connection.RemoteIdentity.Role == TransportRole.Client)
        {
            _clients.TryRemove(new KeyValuePair<string, Connection>(connection.RemoteIdentity.Id, connection));
        }

        // A silo that closes gracefully has answered every request it read, so the unanswered ones never ran and go
        // to the new owner. A connection that was lost takes its unanswered calls with it: they may have run.
        var graceful = error is null && connection.RemoteIdentity.Role == TransportRole.Silo && !_stopped.IsCancellationRequested;
        foreach (var (id, entry) in _remote)
        {
            if (ReferenceEquals(entry.Connection, connection) && _remote.TryRemove(id, out _))
            {
                if (graceful)
                {
                    SendRemote(entry.Request, owner: null);
                }
                else
                {
                    entry.Request.SetException(error is null
                        ? new SiloUnavailableException(
                            $"{entry.Request} on {entry.Request.TargetId}: the connection to {connection.RemoteIdentity} was lost before it answered.")
                        : new SiloUnavailableException(
                            $"{entry.Request} on {entry.Request.TargetId}: the connection to {connection.RemoteIdentity} was lost before it answered ({error.Message}).",
                            error));
                }
            }
        }

        foreach (var (id, forward) in _forwards)
        {
            if (ReferenceEquals(forward.Origin, connection))
            {
                _forwards.TryRemove(id, out _);
            }
        }
    }

    public void OnFrame(Connection connection, Frame frame)
    {
        if (_isolated)
        {
            return;
        }

        switch (frame.Kind)
        {
            case FrameKind.Request:
            case FrameKind.OneWay:
                OnRequest(connection, frame);
                break;
            case FrameKind.Response:
                OnResponse(frame);
                break;
            case FrameKind.Ping:
                // Answered here, on the read loop: a saturated thread pool cannot delay it (no false deaths).
                var forMe = Silo is not null && !(_agent?.DeclaredDead.IsCompleted ?? false)
                    && Encoding.UTF8.GetString(frame.Payload.Span) == Silo.ToString();
                _ = connection.SendAsync(FrameKind.Pong, frame.CorrelationId, forMe ? s_yes : s_no);
                break;
            case FrameKind.Pong:
            case FrameKind.IndirectProbeReply:
                if (_probes.TryRemove(frame.CorrelationId, out var probe))
                {
                    probe.TrySetResult(frame.Payload.Length == 1 && frame.Payload.Span[0] == 1);
                }

                break;
            case FrameKind.IndirectProbe:
                _ = AnswerIndirectProbeAsync(connection, frame);
                break;
            case FrameKind.Gossip:
                if (frame.Payload.Length == 8)
                {
                    _agent?.OnGossip(BinaryPrimitives.ReadInt64LittleEndian(frame.Payload.Span));
                }

                break;
            default:
                break;
        }
    }

    private static readonly byte[] s_yes = [1];
    private static readonly byte[] s_no = [0];

    private void OnRequest(Connection connection, Frame frame)
    {
        Request? request;
        long remaining;
        string? rejection;
        try
        {
            request = MessageCodec.ReadRequest(frame.Payload.Span, _runtime, out remaining, out rejection);
        }
        catch (Exception e) when (e is WireFormatException or CodecNotFoundException)
        {
            Respond(connection, frame.CorrelationId, b => MessageCodec.WriteException(b, e), frame.Kind);
            return;
        }

        if (request is null)
        {
            Respond(connection, frame.CorrelationId, b => MessageCodec.WriteRejection(b, rejection!), frame.Kind);
            return;
        }

        var now = _runtime.TimeProvider.GetTimestamp();
        request.DeadlineTimestamp = now + (long)(remaining / 1000.0 * _runtime.TimeProvider.TimestampFrequency);
        var target = request.TargetId;
        if (target.Type == Core.GrainRuntime.ObserverGrainType)
        {
            AttachResponder(request, connection, frame);
            _runtime.Dispatch(request);
            return;
        }

        if (_leaving || _stopped.IsCancellationRequested)
        {
            Respond(connection, frame.CorrelationId, b => MessageCodec.WriteRejection(b, $"Silo {Silo} is shutting down."), frame.Kind);
            return;
        }

        if (IsLocal(target, out var owner))
        {
            AttachResponder(request, connection, frame);
            _runtime.DispatchLocal(request);
            return;
        }

        // Our view says someone else owns it: forward (the caller's view was older), within the hop limit.
        if (owner is null || request.ForwardCount >= _options.MaxForwardCount)
        {
            Respond(connection, frame.CorrelationId, b => MessageCodec.WriteRejection(b, $"{target} is not owned by {Silo}."), frame.Kind);
            return;
        }

        request.ForwardCount++;
        _ = ForwardAsync(connection, frame, request, owner);
    }

    private void AttachResponder(Request request, Connection connection, Frame frame)
    {
        if (frame.Kind == FrameKind.Request)
        {
            request.AttachRemoteResponder(new ConnectionResponder(this, connection), frame.CorrelationId);
        }
    }

    private async Task ForwardAsync(Connection origin, Frame frame, Request request, SiloAddress owner)
    {
        var id = Interlocked.Increment(ref _nextInternalId);
        try
        {
            var connection = await _pool!.GetAsync(owner.EndPoint, _stopped.Token).ConfigureAwait(false);
            if (frame.Kind == FrameKind.Request)
            {
                _forwards[id] = (origin, frame.CorrelationId);
            }

            await connection.SendAsync(frame.Kind, id, Encode(request), _stopped.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _forwards.TryRemove(id, out _);
            Respond(origin, frame.CorrelationId, b => MessageCodec.WriteRejection(b, $"Forwarding {request.TargetId} to {owner} failed: {e.Message}"), frame.Kind);
        }
    }

    private void OnResponse(Frame frame)
    {
        if (_forwards.TryRemove(frame.CorrelationId, out var forward))
        {
            // Relay the owner's answer untouched to whoever asked us.
            _ = SendQuietly(forward.Origin, FrameKind.Response, forward.OriginCorrelation, frame.Payload);
            return;
        }

        if (!_remote.TryRemove(frame.CorrelationId, out var entry))
        {
            return; // Already timed out or answered.
        }

        string? rejection;
        try
        {
            rejection = MessageCodec.CompleteFromResponse(frame.Payload.Span, entry.Request, _runtime);
        }
        catch (Exception e) when (e is WireFormatException or CodecNotFoundException)
        {
            entry.Request.SetException(e);
            return;
        }

        if (rejection is not null)
        {
            // Not run by the callee: route it again with a fresher view.
            _logger.LogDebug("{Request} rejected by {Silo}: {Reason}", entry.Request, entry.Connection.RemoteIdentity, rejection);
            SendRemote(entry.Request, owner: null);
        }
    }

    private void Respond(Connection connection, long correlationId, Action<PooledBufferWriter> write, FrameKind requestKind)
    {
        if (requestKind != FrameKind.Request)
        {
            return;
        }

        using var buffer = new PooledBufferWriter();
        write(buffer);
        _ = SendQuietly(connection, FrameKind.Response, correlationId, buffer.ToArray());
    }

    private async Task SendQuietly(Connection connection, FrameKind kind, long correlationId, ReadOnlyMemory<byte> payload)
    {
        try
        {
            await connection.SendAsync(kind, correlationId, payload, _stopped.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The caller's deadline covers a response that cannot be delivered.
            _logger.LogDebug("Dropping a {Kind} to {Peer}: {Error}", kind, connection.RemoteIdentity, e.Message);
        }
    }

    private sealed class ConnectionResponder(ClusterFabric fabric, Connection connection) : IRemoteResponder
    {
        public void Respond(long correlationId, Action<PooledBufferWriter> write) =>
            fabric.Respond(connection, correlationId, write, FrameKind.Request);
    }

    // ---------------- membership transport ----------------

    public async Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_isolated)
        {
            return false;
        }

        var id = Interlocked.Increment(ref _nextInternalId);
        var reply = new TaskCompletionSource<bool>();
        _probes[id] = reply;
        try
        {
            var connect = _pool!.GetAsync(target.EndPoint, cancellationToken).AsTask();
            var connection = await connect.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await connection.SendAsync(FrameKind.Ping, id, Encoding.UTF8.GetBytes(target.ToString()), cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _probes.TryRemove(id, out _);
        }
    }

    public async Task<bool> ProbeIndirectAsync(SiloAddress intermediary, SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_isolated)
        {
            return false;
        }

        var id = Interlocked.Increment(ref _nextInternalId);
        var reply = new TaskCompletionSource<bool>();
        _probes[id] = reply;
        try
        {
            var connection = await _pool!.GetAsync(intermediary.EndPoint, cancellationToken).AsTask().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            var payload = new byte[8 + Encoding.UTF8.GetByteCount(target.ToString())];
            BinaryPrimitives.WriteInt64LittleEndian(payload, (long)timeout.TotalMilliseconds);
            Encoding.UTF8.GetBytes(target.ToString(), payload.AsSpan(8));
            await connection.SendAsync(FrameKind.IndirectProbe, id, payload, cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(timeout * 2, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _probes.TryRemove(id, out _);
        }
    }

    private async Task AnswerIndirectProbeAsync(Connection connection, Frame frame)
    {
        var ok = false;
        try
        {
            var span = frame.Payload.Span;
            var timeout = TimeSpan.FromMilliseconds(Math.Clamp(BinaryPrimitives.ReadInt64LittleEndian(span), 1, 60_000));
            var target = SiloAddress.Parse(Encoding.UTF8.GetString(span[8..]));
            ok = _agent is not null
                ? await _agent.HandleIndirectProbeAsync(target, timeout, _stopped.Token).ConfigureAwait(false)
                : await ProbeAsync(target, timeout, _stopped.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OperationCanceledException)
        {
            ok = false;
        }

        await SendQuietly(connection, FrameKind.IndirectProbeReply, frame.CorrelationId, ok ? s_yes : s_no).ConfigureAwait(false);
    }

    public void Gossip(SiloAddress target, long tableVersion)
    {
        if (_isolated)
        {
            return;
        }

        var payload = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(payload, tableVersion);
        _ = GossipAsync(target, payload);
    }

    private async Task GossipAsync(SiloAddress target, byte[] payload)
    {
        try
        {
            var connection = await _pool!.GetAsync(target.EndPoint, _stopped.Token).ConfigureAwait(false);
            await connection.SendAsync(FrameKind.Gossip, 0, payload, _stopped.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogDebug("Gossip to {Target} failed: {Error}", target, e.Message);
        }
    }
}
