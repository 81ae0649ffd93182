namespace WellWon.Runtime.Invocation;

/// <summary>
/// Base of generated grain references. A reference is only an address (grain ID plus interface): cheap to create,
/// serializable, and valid forever.
/// </summary>
public abstract class GrainReference : IAddressable, IEquatable<GrainReference>
{
    /// <summary>Creates a reference bound to a runtime that delivers its calls.</summary>
    protected GrainReference(IGrainReferenceRuntime runtime, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Runtime = runtime;
        GrainId = grainId;
    }

    /// <summary>The grain this reference addresses.</summary>
    public GrainId GrainId { get; }

    /// <summary>The runtime that sends this reference's calls.</summary>
    public IGrainReferenceRuntime Runtime { get; }

    /// <summary>The grain interface this reference implements.</summary>
    public abstract Type InterfaceType { get; }

    /// <summary>Sends a request and returns its result.</summary>
    protected Task<TResult> InvokeTask<TResult>(Request<TResult> request) => Runtime.InvokeAsync(this, request);

    /// <summary>Sends a request and completes when it has run.</summary>
    protected Task InvokeTask(VoidRequest request) => Runtime.InvokeAsync(this, request);

    /// <summary>Sends a request and returns its result.</summary>
    protected ValueTask<TResult> InvokeValueTask<TResult>(Request<TResult> request) => new(Runtime.InvokeAsync(this, request));

    /// <summary>Sends a request and completes when it has run.</summary>
    protected ValueTask InvokeValueTask(VoidRequest request) => new(Runtime.InvokeAsync(this, request));

    /// <inheritdoc/>
    public bool Equals(GrainReference? other) => other is not null && GrainId == other.GrainId && InterfaceType == other.InterfaceType;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GrainReference other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => GrainId.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"{InterfaceType.Name}:{GrainId}";
}

/// <summary>Delivers calls made through references: to a local activation, a remote silo, or an observer.</summary>
public interface IGrainReferenceRuntime
{
    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/> and returns its result.</summary>
    Task<TResult> InvokeAsync<TResult>(GrainReference target, Request<TResult> request);

    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/>.</summary>
    Task InvokeAsync(GrainReference target, VoidRequest request);

    /// <summary>Creates a reference of the given interface type for <paramref name="grainId"/>.</summary>
    GrainReference CreateReference(Type interfaceType, GrainId grainId);
}
