using System.Globalization;
using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// A thread-safe in-process membership table for tests and single-process clusters; several silos in one
/// process share one instance. Rows are immutable records, so handing them in and out is a copy in effect.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SiloAddress, (MembershipEntry Entry, string ETag)> _rows = [];
    private long _version;
    private long _nextETag;

    /// <inheritdoc/>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(new MembershipTableData(_version, [.. _rows.Values]));
        }
    }

    /// <inheritdoc/>
    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_version != expectedTableVersion || _rows.ContainsKey(entry.Silo))
            {
                return Task.FromResult(false);
            }

            if (entry.IsLive && _rows.Values.Any(r => r.Entry.IsLive && r.Entry.WorkerId == entry.WorkerId))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Silo] = (entry, NewETag());
            _version++;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_version != expectedTableVersion
                || !_rows.TryGetValue(entry.Silo, out var current)
                || !string.Equals(current.ETag, etag, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Silo] = (entry, NewETag());
            _version++;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_rows.TryGetValue(silo, out var current))
            {
                _rows[silo] = (current.Entry with { IAmAliveTime = time }, current.ETag);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<int> CleanupDefunctAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var defunct = _rows.Values
                .Where(r => r.Entry.Status == SiloStatus.Dead && r.Entry.IAmAliveTime < olderThan)
                .Select(r => r.Entry.Silo)
                .ToList();
            foreach (var silo in defunct)
            {
                _rows.Remove(silo);
            }

            return Task.FromResult(defunct.Count);
        }
    }

    private string NewETag() => (++_nextETag).ToString(CultureInfo.InvariantCulture);
}
