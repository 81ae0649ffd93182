using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Core;

/// <summary>
/// The silo's runtime: creates references, sends calls (copying arguments and results across the boundary),
/// enforces deadlines, and hands requests to activations through the <see cref="Catalog"/>. One per silo;
/// a test cluster runs several in one process, which is why nothing here is static.
/// </summary>
internal sealed class GrainRuntime : IGrainFactory, IGrainReferenceRuntime, IDisposable
{
    internal const string ObserverGrainType = "sys.observer";

    private static readonly AsyncLocal<Request?> s_currentRequest = new();

    private readonly long _timeoutTicks;
    private readonly ConcurrentDictionary<long, Request> _pending = new();
    private readonly ConcurrentDictionary<GrainId, ObserverMailbox> _observers = new();
    private readonly ConcurrentDictionary<IGrainObserver, GrainId> _observerIds = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timeoutSweep;
    private ITimer? _collector;
    private long _nextCorrelationId;
    private int _stopRequested;
    private int _disposed;
    private readonly TaskCompletionSource _stoppedDeactivating = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GrainRuntime(IServiceProvider services, IOptions<SiloOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        Services = services;
        Options = options.Value;
        TimeProvider = timeProvider;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger<GrainRuntime>();
        HostId = Guid.NewGuid().ToString("N");
        Catalog = new Catalog(this);
        _timeoutTicks = (long)(Options.ResponseTimeout.TotalSeconds * timeProvider.TimestampFrequency);
        var sweep = TimeSpan.FromTicks(Math.Clamp(Options.ResponseTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _timeoutSweep = timeProvider.CreateTimer(static s => ((GrainRuntime)s!).SweepTimeouts(), this, sweep, sweep);
    }

    public IServiceProvider Services { get; }

    public SiloOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>
    /// Identifies this process; observer references name it so calls find their way back. A silo in a cluster
    /// uses its silo address, a client its client ID.
    /// </summary>
    public string HostId { get; internal set; }

    /// <summary>The cluster connection, if this runtime is part of a cluster (or a cluster client).</summary>
    internal Cluster.ClusterFabric? Fabric { get; set; }

    public Catalog Catalog { get; }

    public CancellationToken StoppingToken => _stopping.Token;

    /// <summary>The request whose turn is running on this logical flow (null outside grain code).</summary>
    internal static Request? CurrentRequest
    {
        get => s_currentRequest.Value;
        set => s_currentRequest.Value = value;
    }

    internal int PendingCallCount => _pending.Count;

    // ---- references ----

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey) where TGrainInterface : IGrainWithGuidKey =>
        Reference<TGrainInterface>(GrainId.Create(Descriptor<TGrainInterface>().GrainType, primaryKey));

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        return Reference<TGrainInterface>(GrainId.Create(Descriptor<TGrainInterface>().GrainType, primaryKey));
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : IGrainWithIntegerKey =>
        Reference<TGrainInterface>(GrainId.Create(Descriptor<TGrainInterface>().GrainType, primaryKey));

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable =>
        Reference<TGrainInterface>(grainId);

    public GrainReference CreateReference(Type interfaceType, GrainId grainId) =>
        TypeManifest.GetInterface(interfaceType).CreateReference(this, grainId);

    public TGrainObserver CreateObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (observer is GrainReference)
        {
            throw new ArgumentException("Pass the local object, not a reference.", nameof(observer));
        }

        var id = _observerIds.GetOrAdd(observer, static (_, hostId) => new GrainId(ObserverGrainType, $"{hostId}/{Guid.NewGuid():N}"), HostId);
        _observers.TryAdd(id, new ObserverMailbox(observer));
        return Reference<TGrainObserver>(id);
    }

    public void DeleteObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver
    {
        if (_observerIds.TryRemove(observer, out var id))
        {
            _observers.TryRemove(id, out _);
        }
    }

    private static GrainInterfaceDescriptor Descriptor<T>() => DescriptorCache<T>.Value ??= TypeManifest.GetInterface(typeof(T));

    private TGrainInterface Reference<TGrainInterface>(GrainId id) =>
        (TGrainInterface)(object)Descriptor<TGrainInterface>().CreateReference(this, id);

    // ---- calls ----

    public Task<TResult> InvokeAsync<TResult>(GrainReference target, Request<TResult> request)
    {
        request = PrepareRequest(target, request);
        if ((request.Flags & InvokeFlags.OneWay) != 0)
        {
            Dispatch(request);
            return Task.FromResult(default(TResult)!);
        }

        var response = new LocalResponse<TResult>(this, request, (request.Flags & InvokeFlags.ResultImmutable) == 0);
        request.Sink = response;
        Track(request);
        Dispatch(request);
        return response.Task;
    }

    public Task InvokeAsync(GrainReference target, VoidRequest request)
    {
        request = PrepareRequest(target, request);
        if ((request.Flags & InvokeFlags.OneWay) != 0)
        {
            Dispatch(request);
            return Task.CompletedTask;
        }

        var response = new LocalResponse<VoidResult>(this, request, copyResult: false);
        request.Sink = response;
        Track(request);
        Dispatch(request);
        return response.Task;
    }

    private TRequest PrepareRequest<TRequest>(GrainReference target, TRequest request)
        where TRequest : Request
    {
        if ((request.Flags & InvokeFlags.ArgumentsImmutable) == 0)
        {
            request = (TRequest)CopyRequest(request);
        }

        request.TargetId = target.GrainId;
        var caller = s_currentRequest.Value;
        if (caller is not null)
        {
            // A non-interleaving caller waits for this call, so it joins the chain used for deadlock detection.
            request.CallChain = caller.ExecutorIsReentrant ? caller.CallChain : new CallChain(caller.TargetId, caller.CallChain);
        }

        RuntimeMetrics.Calls.Add(1);
        return request;
    }

    private void Track(Request request)
    {
        var now = TimeProvider.GetTimestamp();
        request.StartTimestamp = now;
        request.DeadlineTimestamp = now + _timeoutTicks;
        request.CorrelationId = Interlocked.Increment(ref _nextCorrelationId);
        _pending[request.CorrelationId] = request;
    }

    internal void OnResponse(Request request, bool failed)
    {
        _pending.TryRemove(request.CorrelationId, out _);
        if (failed)
        {
            RuntimeMetrics.Errors.Add(1);
        }

        if (RuntimeMetrics.CallDuration.Enabled)
        {
            RuntimeMetrics.CallDuration.Record(TimeProvider.GetElapsedTime(request.StartTimestamp).TotalMilliseconds);
        }
    }

    /// <summary>Routes a request to its target: an observer (here or in another process), a local activation, or the owning silo.</summary>
    internal void Dispatch(Request request)
    {
        var target = request.TargetId;
        if (target.Type == ObserverGrainType)
        {
            var host = target.Key.AsSpan();
            var slash = host.LastIndexOf('/');
            if (Fabric is not null && slash > 0 && !host[..slash].SequenceEqual(HostId))
            {
                Fabric.SendToObserverHost(request, target.Key[..slash]);
                return;
            }

            DispatchToObserver(request);
            return;
        }

        if (Fabric is { } fabric && !fabric.IsLocal(target, out var owner))
        {
            fabric.SendRemote(request, owner);
            return;
        }

        DispatchLocal(request);
    }

    /// <summary>Hands a request to this silo's activation of its grain.</summary>
    internal void DispatchLocal(Request request)
    {
        try
        {
            while (!Catalog.GetForRequest(request.TargetId).TryEnqueue(request))
            {
                // The activation we found was just deactivated; the next lookup creates a fresh one.
            }
        }
        catch (Exception e)
        {
            request.SetException(e);
        }
    }

    private void DispatchToObserver(Request request)
    {
        if (!_observers.TryGetValue(request.TargetId, out var mailbox))
        {
            request.SetException(new ObserverNotFoundException(
                $"Observer {request.TargetId} is not registered in this process (deleted, or its process restarted)."));
            return;
        }

        mailbox.Post(request);
    }

    /// <summary>
    /// Calls to one observer, started in the order they arrived (from one sender: the order it sent them), on the thread
    /// pool and outside any grain's context. Observers are plain objects, not activations: a call that awaits does not
    /// hold back the next one, but calls that complete synchronously (the usual one-way notification) run strictly in order.
    /// </summary>
    private sealed class ObserverMailbox(IGrainObserver target) : IThreadPoolWorkItem
    {
        private const int BatchSize = 128;
        private readonly ConcurrentQueue<Request> _queue = new();
        private int _scheduled;

        public void Post(Request request)
        {
            _queue.Enqueue(request);
            if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            while (true)
            {
                for (var i = 0; i < BatchSize; i++)
                {
                    if (!_queue.TryDequeue(out var request))
                    {
                        break;
                    }

                    _ = request.InvokeAsync(target);
                }

                if (!_queue.IsEmpty)
                {
                    // More is waiting: yield the thread to other work, keep the schedule (and so the order).
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }

                Volatile.Write(ref _scheduled, 0);
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
                {
                    return;
                }
            }
        }
    }

    private Request CopyRequest(Request request)
    {
        var copy = request.CreateEmpty();
        using var buffer = new PooledBufferWriter();
        var writer = new Writer(buffer);
        request.WriteArguments(ref writer);
        writer.Commit();
        using (SerializationContext.Use(this))
        {
            var reader = new Reader(buffer.WrittenSpan);
            copy.ReadArguments(ref reader);
        }

        return copy;
    }

    internal T CopyValue<T>(T value)
    {
        using (SerializationContext.Use(this))
        {
            return Serializer.DeepCopy(value);
        }
    }

    private void SweepTimeouts()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var (id, request) in _pending)
        {
            if (now >= request.DeadlineTimestamp && _pending.TryRemove(id, out _))
            {
                RuntimeMetrics.Timeouts.Add(1);
                request.SetException(new TimeoutException(
                    $"{request} on {request.TargetId} did not answer within {Options.ResponseTimeout} (the response timeout)."));
            }
        }
    }

    // ---- lifecycle ----

    internal void Start()
    {
        TypeManifest.RegisterLoadedAssemblies();
        _collector = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).CollectIdle(), this, Options.CollectionQuantum, Options.CollectionQuantum);
    }

    private void CollectIdle()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var activation in Catalog.Activations)
        {
            activation.CollectIfIdle(now, Options.CollectionAge);
        }
    }

    /// <summary>Deactivates every activation (each finishes its current turn and runs OnDeactivateAsync).</summary>
    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Hosts may stop a second time after disposing (minimal hosting does): nothing is left to stop.
            return;
        }

        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            await _stoppedDeactivating.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await StopCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stoppedDeactivating.TrySetResult();
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        Catalog.Close();
        var waits = new List<Task>();
        foreach (var activation in Catalog.Activations)
        {
            activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "Silo stopping"));
            waits.Add(activation.WhenDeactivated());
        }

        try
        {
            await Task.WhenAll(waits).WaitAsync(Options.DeactivationTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // A turn that never ends must not keep the process alive: log what is left and stop anyway.
            Logger.LogWarning("{Count} activations did not finish deactivating before shutdown gave up", waits.Count(t => !t.IsCompleted));
        }

        if (Volatile.Read(ref _disposed) == 0)
        {
            _stopping.Cancel();
        }

        _collector?.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timeoutSweep.Dispose();
        _collector?.Dispose();
        _stopping.Dispose();
    }

    private static class DescriptorCache<T>
    {
        public static GrainInterfaceDescriptor? Value;
    }
}

/// <summary>
/// A caller waiting in this process for a request's outcome. The outcome is recorded at once (so the request
/// counts as answered) but the caller's task is completed on a thread-pool work item: caller continuations then
/// run there, never inside the grain's turn or on a timer thread, so slow or blocking caller code cannot stall a
/// grain. It costs the same single hop that RunContinuationsAsynchronously would.
/// </summary>
internal sealed class LocalResponse<TResult>(GrainRuntime runtime, Request request, bool copyResult)
    : TaskCompletionSource<TResult>, IResponseSink<TResult>, IThreadPoolWorkItem
{
    private int _state;
    private TResult? _result;
    private Exception? _exception;

    bool IResponseSink<TResult>.IsCompleted => Volatile.Read(ref _state) != 0;

    void IResponseSink<TResult>.SetResult(TResult result)
    {
        if (copyResult && result is not null)
        {
            try
            {
                result = runtime.CopyValue(result);
            }
            catch (Exception e)
            {
                ((IResponseSink<TResult>)this).SetException(e);
                return;
            }
        }

        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            _result = result;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IResponseSink<TResult>.SetException(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            _exception = exception;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        runtime.OnResponse(request, failed: _exception is not null);
        if (_exception is not null)
        {
            TrySetException(_exception);
        }
        else
        {
            TrySetResult(_result!);
        }
    }
}
