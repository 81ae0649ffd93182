using System.Collections.Concurrent;
using System.Globalization;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Persistence;

/// <summary>
/// Grain storage in process memory, for development and tests. Stores serialized copies (so a grain mutating its
/// state object never changes what is stored) and enforces etags like a database would.
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), Entry> _entries = new();

    /// <summary>Number of stored records (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue((stateName, grainId), out var entry))
        {
            grainState.State = Serializer.Deserialize<TState>(entry.Payload);
            grainState.ETag = entry.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var payload = Serializer.Serialize(grainState.State);
        var key = (stateName, grainId);
        while (true)
        {
            var exists = _entries.TryGetValue(key, out var current);
            var storedEtag = exists ? current!.Version.ToString(CultureInfo.InvariantCulture) : null;
            if (!string.Equals(storedEtag, grainState.ETag, StringComparison.Ordinal))
            {
                throw new InconsistentStateException(
                    $"Version conflict writing state '{stateName}' of {grainId}: stored etag {storedEtag ?? "(none)"}, activation holds {grainState.ETag ?? "(none)"}.",
                    storedEtag,
                    grainState.ETag);
            }

            var next = new Entry(payload, exists ? current!.Version + 1 : 1);
            var swapped = exists ? _entries.TryUpdate(key, next, current!) : _entries.TryAdd(key, next);
            if (swapped)
            {
                grainState.ETag = next.Version.ToString(CultureInfo.InvariantCulture);
                grainState.RecordExists = true;
                return Task.CompletedTask;
            }
        }
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var key = (stateName, grainId);
        if (_entries.TryGetValue(key, out var current))
        {
            var storedEtag = current.Version.ToString(CultureInfo.InvariantCulture);
            if (!string.Equals(storedEtag, grainState.ETag, StringComparison.Ordinal)
                || !_entries.TryRemove(new KeyValuePair<(string, GrainId), Entry>(key, current)))
            {
                throw new InconsistentStateException(
                    $"Version conflict clearing state '{stateName}' of {grainId}.", storedEtag, grainState.ETag);
            }
        }
        else if (grainState.ETag is not null)
        {
            throw new InconsistentStateException($"State '{stateName}' of {grainId} was already deleted.", null, grainState.ETag);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private sealed record Entry(byte[] Payload, long Version);
}
