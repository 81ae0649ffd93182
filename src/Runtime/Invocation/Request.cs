using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Invocation;

/// <summary>How a request may be scheduled and copied; computed by the code generator from the interface.</summary>
[Flags]
public enum InvokeFlags
{
    /// <summary>An ordinary, non-interleaving call.</summary>
    None = 0,

    /// <summary>[ReadOnly]: interleaves with other read-only requests, never with a write.</summary>
    ReadOnly = 1,

    /// <summary>[AlwaysInterleave]: interleaves with any request.</summary>
    AlwaysInterleave = 2,

    /// <summary>[OneWay]: the caller does not wait for completion or result.</summary>
    OneWay = 4,

    /// <summary>Every argument is of an immutable type: a local call need not copy them.</summary>
    ArgumentsImmutable = 8,

    /// <summary>The result type is immutable (or void): a local call need not copy it.</summary>
    ResultImmutable = 16,
}

/// <summary>
/// One grain method call: its arguments (as fields of a generated subclass) plus the envelope the runtime
/// routes by. Generated subclasses derive from <see cref="Request{TResult}"/> or <see cref="VoidRequest"/>.
/// </summary>
public abstract class Request
{
    // Envelope: filled by the runtime, never by generated code.
    internal GrainId TargetId;
    internal CallChain? CallChain;
    internal long DeadlineTimestamp;
    internal long CorrelationId;
    internal int ForwardCount;
    internal long StartTimestamp;

    // Intrusive queue links: an activation queues requests without allocating nodes.
    internal Request? NextWaiting;
    internal object? NextWork;

    // Set when the request is admitted: whether the executing activation interleaves (then it does not
    // join the call chain of its outgoing calls, since it cannot deadlock).
    internal bool ExecutorIsReentrant;

    /// <summary>Stable ID of the interface that declares the method.</summary>
    public abstract uint InterfaceId { get; }

    /// <summary>Stable ID of the method within its interface.</summary>
    public abstract uint MethodId { get; }

    /// <summary>Interface name, for diagnostics.</summary>
    public abstract string InterfaceName { get; }

    /// <summary>Method name, for diagnostics.</summary>
    public abstract string MethodName { get; }

    /// <summary>Scheduling and copying flags.</summary>
    public abstract InvokeFlags Flags { get; }

    /// <summary>A new request of the same kind with default arguments (used before <see cref="ReadArguments"/>).</summary>
    public abstract Request CreateEmpty();

    /// <summary>Writes the arguments as fields 0..n-1 followed by an end-of-object marker.</summary>
    public abstract void WriteArguments(ref Writer writer);

    /// <summary>Reads arguments written by <see cref="WriteArguments"/> of this or another release (unknown fields are skipped).</summary>
    public abstract void ReadArguments(ref Reader reader);

    /// <summary>Whether the request's outcome has been reported (result, exception or timeout).</summary>
    internal abstract bool IsCompleted { get; }

    /// <summary>Runs the method on <paramref name="target"/> and reports the outcome to the response sink.</summary>
    internal abstract ValueTask InvokeAsync(object target);

    /// <summary>Reports a failure to the caller (no-op if already completed).</summary>
    internal abstract void SetException(Exception exception);

    /// <summary>Caller side: completes the waiting caller from a result value read off the wire.</summary>
    internal abstract void SetResultFromWire(ref Reader reader, WireType wireType);

    /// <summary>Callee side: routes the outcome back over the wire instead of to a local waiter.</summary>
    internal abstract void AttachRemoteResponder(IRemoteResponder responder, long correlationId);

    /// <inheritdoc/>
    public override string ToString() => $"{InterfaceName}.{MethodName}";
}

/// <summary>A request whose method returns a value.</summary>
public abstract class Request<TResult> : Request
{
    internal IResponseSink<TResult>? Sink;

    /// <summary>Calls the method on the grain or observer.</summary>
    protected abstract ValueTask<TResult> InvokeCore(object target);

    internal override bool IsCompleted => Sink is { IsCompleted: true };

    internal override ValueTask InvokeAsync(object target)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = InvokeCore(target);
        }
        catch (Exception e)
        {
            Sink?.SetException(e);
            return default;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Sink?.SetResult(pending.Result);
            return default;
        }

        return AwaitAsync(pending);
    }

    internal override void SetException(Exception exception) => Sink?.SetException(exception);

    internal override void SetResultFromWire(ref Reader reader, WireType wireType) =>
        Sink?.SetResult(Codec<TResult>.Instance.ReadValue(ref reader, wireType));

    internal override void AttachRemoteResponder(IRemoteResponder responder, long correlationId) =>
        Sink = new RemoteResponseSink<TResult>(responder, correlationId);

    private async ValueTask AwaitAsync(ValueTask<TResult> pending)
    {
        TResult result;
        try
        {
            result = await pending;
        }
        catch (Exception e)
        {
            Sink?.SetException(e);
            return;
        }

        Sink?.SetResult(result);
    }
}

/// <summary>A request whose method returns no value.</summary>
public abstract class VoidRequest : Request
{
    internal IResponseSink<VoidResult>? Sink;

    /// <summary>Calls the method on the grain or observer.</summary>
    protected abstract ValueTask InvokeCore(object target);

    internal override bool IsCompleted => Sink is { IsCompleted: true };

    internal override ValueTask InvokeAsync(object target)
    {
        ValueTask pending;
        try
        {
            pending = InvokeCore(target);
        }
        catch (Exception e)
        {
            Sink?.SetException(e);
            return default;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Sink?.SetResult(default);
            return default;
        }

        return AwaitAsync(pending);
    }

    internal override void SetException(Exception exception) => Sink?.SetException(exception);

    internal override void SetResultFromWire(ref Reader reader, WireType wireType)
    {
        reader.SkipField(wireType);
        Sink?.SetResult(default);
    }

    internal override void AttachRemoteResponder(IRemoteResponder responder, long correlationId) =>
        Sink = new RemoteResponseSink<VoidResult>(responder, correlationId);

    private async ValueTask AwaitAsync(ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            Sink?.SetException(e);
            return;
        }

        Sink?.SetResult(default);
    }
}

/// <summary>The result of a method that returns nothing.</summary>
public readonly struct VoidResult;

/// <summary>Where a request reports its outcome: a local waiter, or a connection back to a remote caller.</summary>
internal interface IResponseSink<in TResult>
{
    bool IsCompleted { get; }

    void SetResult(TResult result);

    void SetException(Exception exception);
}

/// <summary>
/// The chain of non-reentrant activations waiting on each other, carried with each call so that a call
/// that would close a cycle fails at once instead of waiting for its deadline.
/// </summary>
internal sealed class CallChain(GrainId grainId, CallChain? next)
{
    public GrainId GrainId { get; } = grainId;

    public CallChain? Next { get; } = next;

    public bool Contains(GrainId id)
    {
        for (var c = this; c is not null; c = c.Next)
        {
            if (c.GrainId == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Renders the cycle oldest first, e.g. "A -> B -> A".</summary>
    public string Describe(GrainId closing)
    {
        var ids = new List<string>();
        for (var c = this; c is not null; c = c.Next)
        {
            ids.Add(c.GrainId.ToString());
        }

        ids.Reverse();
        var start = ids.IndexOf(closing.ToString());
        var cycle = start >= 0 ? ids.Skip(start) : ids;
        return string.Join(" -> ", cycle.Append(closing.ToString()));
    }
}
