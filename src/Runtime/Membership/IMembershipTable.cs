using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// The shared membership table: the single source of truth every silo reads its view from. Writes that
/// change membership are compare-and-swap on a table-wide version (as in Orleans' OrleansMembershipTable):
/// an insert or update succeeds only if the table version still equals the version the writer read, and
/// then bumps it by one, so two silos acting on the same snapshot can never both win.
/// </summary>
/// <remarks>
/// Relational mapping (PostgreSQL): one <c>cluster_membership_version(cluster_id, version)</c> row and one
/// <c>cluster_members(cluster_id, silo_address, silo_name, status, start_time, i_am_alive_time,
/// suspicions, worker_id, gateway_port, etag)</c> row per member. Insert and update run in one transaction
/// that first does <c>UPDATE cluster_membership_version SET version = version + 1 WHERE cluster_id = @c AND
/// version = @expected</c> and rolls back if no row changed; a partial unique index on
/// <c>(cluster_id, worker_id) WHERE status &lt;&gt; Dead</c> backs the worker-ID lease.
/// </remarks>
public interface IMembershipTable
{
    /// <summary>Creates the cluster's version row (version 0) if missing. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the version and every row in one consistent snapshot.</summary>
    Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a new row. Succeeds (and bumps the version) only if the table version equals
    /// <paramref name="expectedTableVersion"/>, the silo has no row yet and no live member holds the entry's worker ID.
    /// </summary>
    /// <returns>False on any conflict; the caller re-reads and retries.</returns>
    Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a row. Succeeds (and bumps the version and the row's etag) only if the table version equals
    /// <paramref name="expectedTableVersion"/> and the row's etag equals <paramref name="etag"/>.
    /// </summary>
    /// <returns>False on any conflict; the caller re-reads and retries.</returns>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedTableVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a heartbeat. Touches neither the version nor the etag, so heartbeats never make a concurrent
    /// suspicion vote or status change fail its compare-and-swap.
    /// </summary>
    Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Deletes Dead rows whose last heartbeat is older than <paramref name="olderThan"/>. Does not bump the version.</summary>
    /// <returns>The number of rows removed.</returns>
    Task<int> CleanupDefunctAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
