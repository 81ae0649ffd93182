namespace WellWon.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime constructs a grain on the first call to its ID, loads its
/// persistent state, calls <see cref="OnActivateAsync"/>, and later collects it when idle.
/// </summary>
public abstract class Grain
{
    [ThreadStatic]
    private static IGrainContext? t_constructing;

    private IGrainContext? _context;

    /// <summary>Captures the activation being constructed (set by the runtime around the constructor call).</summary>
    protected Grain() => _context = t_constructing;

    /// <summary>The activation this grain instance belongs to.</summary>
    public IGrainContext GrainContext =>
        _context ?? throw new InvalidOperationException("This grain was not created by the runtime; it has no activation.");

    /// <summary>The grain's identity.</summary>
    public GrainId GrainId => GrainContext.GrainId;

    /// <summary>Creates references to other grains.</summary>
    protected IGrainFactory GrainFactory => GrainContext.GrainFactory;

    /// <summary>The silo's services.</summary>
    protected IServiceProvider ServiceProvider => GrainContext.ActivationServices;

    /// <summary>The clock every grain should use (tests replace it).</summary>
    protected TimeProvider TimeProvider => GrainContext.TimeProvider;

    /// <summary>The key of a grain with a Guid key.</summary>
    public Guid GetPrimaryKey() => GrainId.GetGuidKey();

    /// <summary>The key of a grain with an integer key.</summary>
    public long GetPrimaryKeyLong() => GrainId.GetIntegerKey();

    /// <summary>The key of a grain with a string key.</summary>
    public string GetPrimaryKeyString() => GrainId.Key;

    /// <summary>Runs after persistent state is loaded, before the first request.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs as the activation's last turn; persist anything not yet written here.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request completes; the next call activates it again.</summary>
    protected void DeactivateOnIdle() => GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle"));

    /// <summary>
    /// Registers a timer whose ticks run as turns of this grain: never concurrently with another request
    /// (unless <see cref="GrainTimerCreationOptions.Interleave"/>), never overlapping each other, stopped on deactivation.
    /// </summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return GrainContext.RegisterTimer((s, ct) => callback((TState)s!, ct), state, options);
    }

    /// <summary>Registers a timer; see <see cref="RegisterGrainTimer{TState}"/>.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return GrainContext.RegisterTimer((_, ct) => callback(ct), null, new GrainTimerCreationOptions(dueTime, period));
    }

    internal static IGrainContext? Constructing
    {
        get => t_constructing;
        set => t_constructing = value;
    }

    internal void Attach(IGrainContext context) => _context = context;
}

/// <summary>The runtime's side of an activation, as seen by grain code and generated activators.</summary>
public interface IGrainContext
{
    /// <summary>The grain's identity.</summary>
    GrainId GrainId { get; }

    /// <summary>Services available to the grain.</summary>
    IServiceProvider ActivationServices { get; }

    /// <summary>Creates references.</summary>
    IGrainFactory GrainFactory { get; }

    /// <summary>The runtime's clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The persistent state bound to a constructor parameter marked [PersistentState].</summary>
    IPersistentState<TState> GetPersistentState<TState>(string stateName, string? storageName);

    /// <summary>Deactivates the activation after its current turn.</summary>
    void Deactivate(DeactivationReason reason);

    /// <summary>Registers a grain timer.</summary>
    IGrainTimer RegisterTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options);
}

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    /// <summary>No reason given.</summary>
    None,

    /// <summary>The activation was idle longer than its collection age.</summary>
    IdleTimeout,

    /// <summary>The grain asked for it (DeactivateOnIdle).</summary>
    ApplicationRequested,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>The grain's owner moved to another silo after a membership change.</summary>
    PlacementChanged,

    /// <summary>Activation failed.</summary>
    ActivationFailed,
}

/// <summary>A deactivation reason with a human-readable description.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode Code, string Description);

/// <summary>Options of a grain timer.</summary>
public readonly record struct GrainTimerCreationOptions(TimeSpan DueTime, TimeSpan Period)
{
    /// <summary>Ticks may interleave with other requests (default false: a tick is an ordinary turn).</summary>
    public bool Interleave { get; init; }

    /// <summary>Ticks count as activity and keep the activation from being collected (default false).</summary>
    public bool KeepAlive { get; init; }
}

/// <summary>A registered grain timer.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes when the timer next fires and its period; <see cref="Timeout.InfiniteTimeSpan"/> stops it.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
