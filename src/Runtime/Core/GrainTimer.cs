using WellWon.Runtime.Invocation;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Core;

/// <summary>
/// A grain timer: each tick is delivered as a request to the activation, so it runs as a turn (never beside a
/// non-interleaving request), and the next tick is armed only after the previous one finished (never overlapping).
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<object?, CancellationToken, Task> _callback;
    private readonly object? _state;
    private readonly bool _interleave;
    private readonly bool _keepAlive;
    private readonly CancellationTokenSource _stopped = new();
    private readonly object _lock = new();
    private ITimer? _timer;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private bool _tickInFlight;

    public GrainTimer(ActivationData activation, Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options)
    {
        if (options.DueTime < TimeSpan.Zero && options.DueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "DueTime must be non-negative or infinite.");
        }

        if (options.Period < TimeSpan.Zero && options.Period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Period must be non-negative or infinite.");
        }

        _activation = activation;
        _callback = callback;
        _state = state;
        _interleave = options.Interleave;
        _keepAlive = options.KeepAlive;
        _dueTime = options.DueTime;
        _period = options.Period;
    }

    public void Start()
    {
        lock (_lock)
        {
            _timer = _activation.TimeProvider.CreateTimer(static s => ((GrainTimer)s!).OnTimerFired(), this, _dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            _dueTime = dueTime;
            _period = period;
            if (!_tickInFlight)
            {
                _timer?.Change(dueTime, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        Stop();
        _activation.RemoveTimer(this);
    }

    internal void Stop()
    {
        lock (_lock)
        {
            if (_stopped.IsCancellationRequested)
            {
                return;
            }

            _stopped.Cancel();
            _timer?.Dispose();
        }
    }

    private void OnTimerFired()
    {
        lock (_lock)
        {
            if (_stopped.IsCancellationRequested || _tickInFlight)
            {
                return;
            }

            _tickInFlight = true;
        }

        var tick = new TickRequest(this);
        tick.TargetId = _activation.GrainId;
        if (!_activation.TryEnqueue(tick))
        {
            Stop();
        }
    }

    private void OnTickCompleted()
    {
        lock (_lock)
        {
            _tickInFlight = false;
            if (!_stopped.IsCancellationRequested && _period != Timeout.InfiniteTimeSpan)
            {
                _timer?.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>A timer tick, scheduled like a request of the grain.</summary>
    internal sealed class TickRequest : VoidRequest, IResponseSink<VoidResult>
    {
        private readonly GrainTimer _timer;
        private bool _completed;

        public TickRequest(GrainTimer timer)
        {
            _timer = timer;
            Sink = this;
        }

        public bool KeepAlive => _timer._keepAlive;

        public override uint InterfaceId => 0;

        public override uint MethodId => 0;

        public override string InterfaceName => "GrainTimer";

        public override string MethodName => "Tick";

        public override InvokeFlags Flags => (_timer._interleave ? InvokeFlags.AlwaysInterleave : InvokeFlags.None)
            | InvokeFlags.ArgumentsImmutable | InvokeFlags.ResultImmutable;

        bool IResponseSink<VoidResult>.IsCompleted => _completed;

        public override Request CreateEmpty() => throw new InvalidOperationException("Timer ticks never cross the wire.");

        public override void WriteArguments(ref Writer writer) => throw new InvalidOperationException("Timer ticks never cross the wire.");

        public override void ReadArguments(ref Reader reader) => throw new InvalidOperationException("Timer ticks never cross the wire.");

        protected override ValueTask InvokeCore(object target) =>
            _timer._stopped.IsCancellationRequested ? default : new(_timer._callback(_timer._state, _timer._stopped.Token));

        void IResponseSink<VoidResult>.SetResult(VoidResult result) => Complete();

        void IResponseSink<VoidResult>.SetException(Exception exception)
        {
            // A failing tick is logged by the grain's own code if it cares; the timer keeps running, as in Orleans.
            Complete();
        }

        private void Complete()
        {
            _completed = true;
            _timer.OnTickCompleted();
        }
    }
}
