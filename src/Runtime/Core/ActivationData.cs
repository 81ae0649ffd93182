using Microsoft.Extensions.Logging;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.Core;

/// <summary>
/// One activation of a grain: its instance, its request admission (turn-based, with the opt-in interleaving
/// rules) and its single-threaded scheduler. The activation is its own <see cref="SynchronizationContext"/>:
/// awaits inside grain code post their continuations back here, so grain code never runs on two threads at once.
/// All mutable fields are guarded by <c>lock (this)</c>; queues are intrusive lists so an idle activation holds
/// no queue objects at all.
/// </summary>
internal sealed partial class ActivationData : SynchronizationContext, IGrainContext, IThreadPoolWorkItem
{
    // Work items run per thread-pool dispatch before yielding the thread, so one busy grain cannot hog a worker.
    private const int MaxItemsPerSlice = 128;

    [ThreadStatic]
    private static ActivationData? t_executing;

    private readonly GrainRuntime _runtime;
    private readonly GrainClassDescriptor _class;
    private readonly bool _reentrant;
    private Grain? _grain;
    private ActivationStatus _status;

    // Admission: requests waiting for their turn, and counts of requests currently running.
    private Request? _waitHead;
    private Request? _waitTail;
    private int _running;
    private int _runningReadOnly;

    // Scheduling: work items (admitted requests or posted continuations) to run on this context.
    private object? _workHead;
    private object? _workTail;
    private bool _scheduled;

    private long _lastActive;
    private DeactivationReason _deactivation;
    private bool _deactivationRequested;
    private List<IStateLoader>? _states;
    private List<GrainTimer>? _timers;
    private TaskCompletionSource? _deactivated;

    public ActivationData(GrainRuntime runtime, GrainId grainId, GrainClassDescriptor grainClass)
    {
        _runtime = runtime;
        GrainId = grainId;
        _class = grainClass;
        _reentrant = (grainClass.Flags & GrainClassFlags.Reentrant) != 0;
        _lastActive = runtime.TimeProvider.GetTimestamp();
    }

    public GrainId GrainId { get; }

    public IServiceProvider ActivationServices => _runtime.Services;

    public IGrainFactory GrainFactory => _runtime;

    public TimeProvider TimeProvider => _runtime.TimeProvider;

    public GrainClassDescriptor GrainClass => _class;

    /// <summary>The activation whose work is running on this thread, if any.</summary>
    internal static ActivationData? Executing => t_executing;

    internal ActivationStatus Status
    {
        get
        {
            lock (this)
            {
                return _status;
            }
        }
    }

    internal Grain? GrainInstance => _grain;

    /// <summary>Requests admitted or waiting (a stateless-worker pool picks its least loaded worker by this).</summary>
    internal int Load
    {
        get
        {
            lock (this)
            {
                if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid || _deactivationRequested)
                {
                    return int.MaxValue;
                }

                var load = _running;
                for (var r = _waitHead; r is not null; r = r.NextWaiting)
                {
                    load++;
                }

                return load;
            }
        }
    }

    /// <summary>
    /// Hands a request to this activation. Returns false if the activation is gone (the caller then routes the
    /// request to a fresh activation); otherwise the request will run, wait its turn, or fail (deadlock).
    /// </summary>
    public bool TryEnqueue(Request request)
    {
        var startActivation = false;
        var schedule = false;
        var deadlock = false;
        lock (this)
        {
            switch (_status)
            {
                case ActivationStatus.Invalid:
                    return false;
                case ActivationStatus.Created:
                    _status = ActivationStatus.Activating;
                    AppendWaiting(request);
                    startActivation = true;
                    break;
                case ActivationStatus.Valid when !_deactivationRequested
                    && (_waitHead is null || (request.Flags & InvokeFlags.AlwaysInterleave) != 0)
                    && CanRunNow(request):
                    Admit(request);
                    schedule = AppendWork(request);
                    break;
                default:
                    if (!_reentrant && request.CallChain is { } chain && chain.Contains(GrainId))
                    {
                        deadlock = true;
                    }
                    else
                    {
                        AppendWaiting(request);
                    }

                    break;
            }
        }

        if (deadlock)
        {
            request.SetException(new DeadlockException(
                $"Deadlock: {request} on non-reentrant grain {GrainId} would wait for itself: {request.CallChain!.Describe(GrainId)}. " +
                "Mark the grain [Reentrant] or the method [AlwaysInterleave]/[ReadOnly], or break the cycle."));
        }
        else if (startActivation)
        {
            Post(static s => _ = ((ActivationData)s!).ActivateAsync(), this);
        }
        else if (schedule)
        {
            Schedule();
        }

        return true;
    }

    private bool CanRunNow(Request request)
    {
        if (_running == 0 || _reentrant)
        {
            return true;
        }

        var flags = request.Flags;
        return (flags & InvokeFlags.AlwaysInterleave) != 0
            || ((flags & InvokeFlags.ReadOnly) != 0 && _running == _runningReadOnly);
    }

    private void Admit(Request request)
    {
        _running++;
        if ((request.Flags & InvokeFlags.ReadOnly) != 0)
        {
            _runningReadOnly++;
        }

        request.ExecutorIsReentrant = _reentrant || (request.Flags & (InvokeFlags.AlwaysInterleave | InvokeFlags.ReadOnly)) != 0;
    }

    private void AppendWaiting(Request request)
    {
        request.NextWaiting = null;
        if (_waitTail is null)
        {
            _waitHead = _waitTail = request;
        }
        else
        {
            _waitTail.NextWaiting = request;
            _waitTail = request;
        }
    }

    // Moves waiting requests that may now run into the work queue; returns whether a dispatch is needed.
    private bool AdmitWaiting()
    {
        var schedule = false;
        while (_waitHead is { } next && CanRunNow(next))
        {
            _waitHead = next.NextWaiting;
            if (_waitHead is null)
            {
                _waitTail = null;
            }

            next.NextWaiting = null;
            if (next.IsCompleted)
            {
                // Timed out while it waited: the caller has its answer, do not run it.
                continue;
            }

            Admit(next);
            schedule |= AppendWork(next);
        }

        return schedule;
    }

    // Under the lock: begin deactivating if that was asked for and nothing runs, else admit what may run now.
    // Returns whether the caller must dispatch the activation.
    private bool ContinueLocked()
    {
        if (!_deactivationRequested)
        {
            return AdmitWaiting();
        }

        if (_running != 0 || _status != ActivationStatus.Valid)
        {
            return false;
        }

        _status = ActivationStatus.Deactivating;
        return AppendWork(new PostedWork(static s => _ = ((ActivationData)s!).DeactivateAsync(), this));
    }

    // Unlinks each request of a detached waiting list before handing it on (it may be queued elsewhere next).
    private static void ForEachDetached(Request? head, Action<Request> action)
    {
        for (var r = head; r is not null;)
        {
            var next = r.NextWaiting;
            r.NextWaiting = null;
            action(r);
            r = next;
        }
    }

    private Request? TakeAllWaiting()
    {
        var head = _waitHead;
        _waitHead = _waitTail = null;
        return head;
    }

    /// <summary>Called (on this context) when a request's invocation has finished.</summary>
    private void OnRequestCompleted(Request request)
    {
        var schedule = false;
        lock (this)
        {
            _running--;
            if ((request.Flags & InvokeFlags.ReadOnly) != 0)
            {
                _runningReadOnly--;
            }

            if (request is not GrainTimer.TickRequest { KeepAlive: false })
            {
                _lastActive = _runtime.TimeProvider.GetTimestamp();
            }

            schedule = ContinueLocked();
        }

        if (schedule)
        {
            Schedule();
        }
    }

    private void RunRequest(Request request)
    {
        if (request.IsCompleted)
        {
            OnRequestCompleted(request);
            return;
        }

        GrainRuntime.CurrentRequest = request;
        ValueTask pending;
        try
        {
            pending = request.InvokeAsync(_grain!);
        }
        finally
        {
            GrainRuntime.CurrentRequest = null;
        }

        if (pending.IsCompleted)
        {
            OnRequestCompleted(request);
        }
        else
        {
            // The continuation captures this context, so completion bookkeeping runs as one of our turns.
            var awaiter = pending.GetAwaiter();
            awaiter.UnsafeOnCompleted(() => OnRequestCompleted(request));
        }
    }

    private async Task ActivateAsync()
    {
        try
        {
            Grain.Constructing = this;
            try
            {
                _grain = _class.Create(_runtime.Services, this);
            }
            finally
            {
                Grain.Constructing = null;
            }

            _grain.Attach(this);
            if (_states is not null)
            {
                foreach (var state in _states)
                {
                    await state.LoadAsync(_runtime.StoppingToken);
                }
            }

            await _grain.OnActivateAsync(_runtime.StoppingToken);
        }
        catch (Exception e)
        {
            Request? failed;
            lock (this)
            {
                _status = ActivationStatus.Invalid;
                failed = TakeAllWaiting();
            }

            StopTimers();
            _runtime.Catalog.Remove(this);
            RuntimeMetrics.ActivationFailures.Add(1);
            _runtime.Logger.LogWarning(e, "Activation of {GrainId} failed", GrainId);
            _deactivated?.TrySetResult();
            ForEachDetached(failed, r => r.SetException(e));

            return;
        }

        RuntimeMetrics.Activations.Add(1);
        bool schedule;
        lock (this)
        {
            _status = ActivationStatus.Valid;
            _lastActive = _runtime.TimeProvider.GetTimestamp();
            schedule = ContinueLocked();
        }

        if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>Requests deactivation after the current turn; requests arriving meanwhile go to the next activation.</summary>
    public void Deactivate(DeactivationReason reason)
    {
        var schedule = false;
        lock (this)
        {
            if (_deactivationRequested || _status is ActivationStatus.Deactivating or ActivationStatus.Invalid)
            {
                return;
            }

            _deactivationRequested = true;
            _deactivation = reason;
            if (_status == ActivationStatus.Created)
            {
                _status = ActivationStatus.Invalid;
            }
            else if (_status == ActivationStatus.Valid)
            {
                schedule = ContinueLocked();
            }
        }

        if (Status == ActivationStatus.Invalid)
        {
            _runtime.Catalog.Remove(this);
            _deactivated?.TrySetResult();
        }
        else if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>Completes when this activation has been deactivated (or never activated).</summary>
    public Task WhenDeactivated()
    {
        lock (this)
        {
            if (_status == ActivationStatus.Invalid)
            {
                return Task.CompletedTask;
            }

            _deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _deactivated.Task;
        }
    }

    /// <summary>Deactivates the activation if it has been idle at least its collection age.</summary>
    public void CollectIfIdle(long now, TimeSpan defaultAge)
    {
        var age = _class.CollectionAge ?? defaultAge;
        bool idle;
        lock (this)
        {
            idle = _status == ActivationStatus.Valid && _running == 0 && _waitHead is null
                && _runtime.TimeProvider.GetElapsedTime(_lastActive, now) >= age;
        }

        if (idle)
        {
            Deactivate(new DeactivationReason(DeactivationReasonCode.IdleTimeout, $"Idle for more than {age}"));
        }
    }

    private async Task DeactivateAsync()
    {
        StopTimers();
        if (_grain is not null)
        {
            try
            {
                await _grain.OnDeactivateAsync(_deactivation, CancellationToken.None);
            }
            catch (Exception e)
            {
                _runtime.Logger.LogWarning(e, "OnDeactivateAsync of {GrainId} failed", GrainId);
            }
        }

        Request? pending;
        lock (this)
        {
            _status = ActivationStatus.Invalid;
            pending = TakeAllWaiting();
        }

        _runtime.Catalog.Remove(this);
        RuntimeMetrics.Activations.Add(-1);
        _deactivated?.TrySetResult();

        // Requests that arrived during deactivation go to the next activation of the grain.
        ForEachDetached(pending, _runtime.Dispatch);
    }

    public IPersistentState<TState> GetPersistentState<TState>(string stateName, string? storageName)
    {
        var state = new PersistentState<TState>(_runtime, this, stateName, storageName ?? GrainStorage.DefaultProviderName);
        (_states ??= []).Add(state);
        return state;
    }

    public IGrainTimer RegisterTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options)
    {
        var timer = new GrainTimer(this, callback, state, options);
        lock (this)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid)
            {
                throw new InvalidOperationException($"Cannot register a timer on {GrainId}: it is deactivating.");
            }

            (_timers ??= []).Add(timer);
        }

        timer.Start();
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (this)
        {
            _timers?.Remove(timer);
        }
    }

    private void StopTimers()
    {
        GrainTimer[] timers;
        lock (this)
        {
            if (_timers is null)
            {
                return;
            }

            timers = [.. _timers];
            _timers = null;
        }

        foreach (var t in timers)
        {
            t.Stop();
        }
    }

    public override string ToString() => $"[Activation {GrainId} {_status}]";

    /// <summary>State for diagnostics and test failure messages.</summary>
    internal string Describe()
    {
        lock (this)
        {
            return $"{GrainId} {_status} running={_running} waiting={(_waitHead is null ? 0 : 1)}+ idleFor={_runtime.TimeProvider.GetElapsedTime(_lastActive)} deactivationRequested={_deactivationRequested} scheduled={_scheduled} work={(_workHead is null ? "empty" : _workHead.ToString())}";
        }
    }
}

internal enum ActivationStatus
{
    Created,
    Activating,
    Valid,
    Deactivating,
    Invalid,
}

/// <summary>A state that must be loaded before OnActivateAsync.</summary>
internal interface IStateLoader
{
    Task LoadAsync(CancellationToken cancellationToken);
}
