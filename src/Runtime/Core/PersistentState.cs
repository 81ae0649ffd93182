using Microsoft.Extensions.DependencyInjection;

namespace WellWon.Runtime.Core;

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: a state record bound to a storage provider.</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IGrainState<TState>, IStateLoader
{
    private readonly GrainRuntime _runtime;
    private readonly ActivationData _activation;
    private readonly string _stateName;
    private readonly string _storageName;
    private IGrainStorage? _storage;

    public PersistentState(GrainRuntime runtime, ActivationData activation, string stateName, string storageName)
    {
        _runtime = runtime;
        _activation = activation;
        _stateName = stateName;
        _storageName = storageName;
        State = CreateDefault();
    }

    public TState State { get; set; }

    public string? ETag { get; set; }

    public string? Etag => ETag;

    public bool RecordExists { get; set; }

    private IGrainStorage Storage => _storage ??= _runtime.Services.GetKeyedService<IGrainStorage>(_storageName)
        ?? throw new InvalidOperationException(
            $"No grain storage named '{_storageName}' is registered (needed by state '{_stateName}' of {_activation.GrainId}). Register one, e.g. AddMemoryGrainStorage(\"{_storageName}\").");

    public Task LoadAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    public Task ReadStateAsync(CancellationToken cancellationToken = default) =>
        Storage.ReadStateAsync(_stateName, _activation.GrainId, this, cancellationToken);

    public Task WriteStateAsync(CancellationToken cancellationToken = default) =>
        Storage.WriteStateAsync(_stateName, _activation.GrainId, this, cancellationToken);

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await Storage.ClearStateAsync(_stateName, _activation.GrainId, this, cancellationToken);
        State = CreateDefault();
    }

    internal static TState CreateDefault() =>
        typeof(TState).IsValueType || typeof(TState).GetConstructor(Type.EmptyTypes) is null
            ? default!
            : Activator.CreateInstance<TState>();
}
