using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Invocation;

/// <summary>Sends a response payload back to the caller of a remote request.</summary>
internal interface IRemoteResponder
{
    /// <summary>Sends the response for <paramref name="correlationId"/>; <paramref name="write"/> fills the payload.</summary>
    void Respond(long correlationId, Action<PooledBufferWriter> write);
}

/// <summary>The callee-side sink of a request that arrived over the wire: serializes the outcome and sends it back.</summary>
internal sealed class RemoteResponseSink<TResult>(IRemoteResponder responder, long correlationId) : IResponseSink<TResult>
{
    private int _completed;

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public void SetResult(TResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        try
        {
            responder.Respond(correlationId, buffer => Messaging.MessageCodec.WriteResult(buffer, result));
        }
        catch (Exception e) when (e is CodecNotFoundException or WireFormatException or InvalidOperationException)
        {
            // The result cannot be serialized: tell the caller why instead of leaving it to time out.
            responder.Respond(correlationId, buffer => Messaging.MessageCodec.WriteException(buffer, e));
        }
    }

    public void SetException(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            responder.Respond(correlationId, buffer => Messaging.MessageCodec.WriteException(buffer, exception));
        }
    }
}
