using Microsoft.Extensions.Logging;
using WellWon.Runtime.Invocation;

namespace WellWon.Runtime.Core;

/// <summary>The activation's single-threaded scheduler: a work queue drained on the thread pool.</summary>
internal sealed partial class ActivationData
{
    public override void Post(SendOrPostCallback d, object? state)
    {
        bool schedule;
        lock (this)
        {
            schedule = AppendWork(new PostedWork(d, state));
        }

        if (schedule)
        {
            Schedule();
        }
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send to a grain context would block a turn; use Post.");

    public override SynchronizationContext CreateCopy() => this;

    // Appends under the lock; returns true if the caller must dispatch the activation to the thread pool.
    private bool AppendWork(object item)
    {
        if (_workTail is null)
        {
            _workHead = _workTail = item;
        }
        else
        {
            SetNext(_workTail, item);
            _workTail = item;
        }

        if (_scheduled)
        {
            return false;
        }

        _scheduled = true;
        return true;
    }

    private void Schedule() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    private static object? GetNext(object item) => item is Request r ? r.NextWork : ((PostedWork)item).Next;

    private static void SetNext(object item, object? next)
    {
        if (item is Request r)
        {
            r.NextWork = next;
        }
        else
        {
            ((PostedWork)item).Next = next;
        }
    }

    /// <summary>Runs queued work one item at a time with this activation as the synchronization context.</summary>
    public void Execute()
    {
        var previousContext = Current;
        var previousExecuting = t_executing;
        SetSynchronizationContext(this);
        t_executing = this;
        try
        {
            for (var i = 0; i < MaxItemsPerSlice; i++)
            {
                object item;
                lock (this)
                {
                    if (_workHead is null)
                    {
                        _scheduled = false;
                        return;
                    }

                    item = _workHead;
                    _workHead = GetNext(item);
                    if (_workHead is null)
                    {
                        _workTail = null;
                    }

                    SetNext(item, null);
                }

                if (item is Request request)
                {
                    RunRequest(request);
                }
                else
                {
                    var work = (PostedWork)item;
                    try
                    {
                        work.Callback(work.State);
                    }
                    catch (Exception e)
                    {
                        _runtime.Logger.LogError(e, "Unhandled exception in a turn of {GrainId}", GrainId);
                    }
                }
            }

            // Slice used up: requeue ourselves behind other work instead of monopolising this thread.
            Schedule();
        }
        finally
        {
            t_executing = previousExecuting;
            SetSynchronizationContext(previousContext);
        }
    }

    private sealed class PostedWork(SendOrPostCallback callback, object? state)
    {
        public SendOrPostCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public object? Next { get; set; }
    }
}
