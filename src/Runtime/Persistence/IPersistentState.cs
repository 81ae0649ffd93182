namespace WellWon.Runtime;

/// <summary>
/// A grain's persistent state, injected into its constructor with [PersistentState]. Loaded before
/// <see cref="Grain.OnActivateAsync"/>; writes use optimistic concurrency on <see cref="Etag"/>.
/// </summary>
public interface IPersistentState<TState>
{
    /// <summary>The state (a new instance if nothing was stored).</summary>
    TState State { get; set; }

    /// <summary>The stored version; null if nothing was stored.</summary>
    string? Etag { get; }

    /// <summary>Whether a record exists in storage.</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the state; throws <see cref="InconsistentStateException"/> if storage holds a newer version.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored record and resets the state.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Binds a grain constructor parameter of type <see cref="IPersistentState{TState}"/> to a named state in a named storage provider.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>Name of the state within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>Name of the storage provider; null means <see cref="GrainStorage.DefaultProviderName"/>.</summary>
    public string? StorageName { get; } = storageName;
}

/// <summary>The stored version did not match the expected etag: someone else wrote since this activation read.</summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base(message)
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message)
        : base(message)
    {
    }

    /// <summary>The etag found in storage.</summary>
    public string? StoredEtag { get; }

    /// <summary>The etag the activation held.</summary>
    public string? CurrentEtag { get; }
}

/// <summary>The state record a storage provider reads and writes.</summary>
public interface IGrainState<TState>
{
    /// <summary>The state.</summary>
    TState State { get; set; }

    /// <summary>The version; null when no record exists.</summary>
    string? ETag { get; set; }

    /// <summary>Whether a record exists.</summary>
    bool RecordExists { get; set; }
}

/// <summary>A grain storage provider (in-memory, PostgreSQL, ...). Implementations must honour the etag.</summary>
public interface IGrainStorage
{
    /// <summary>Loads the state of <paramref name="grainId"/>'s <paramref name="stateName"/> into <paramref name="grainState"/>.</summary>
    Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);

    /// <summary>Writes if the stored etag equals <see cref="IGrainState{TState}.ETag"/>, then sets the new etag; else throws <see cref="InconsistentStateException"/>.</summary>
    Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);

    /// <summary>Deletes if the etag matches; else throws <see cref="InconsistentStateException"/>.</summary>
    Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);
}

/// <summary>Names shared by storage providers.</summary>
public static class GrainStorage
{
    /// <summary>The provider used when [PersistentState] names none.</summary>
    public const string DefaultProviderName = "Default";
}
