namespace WellWon.Runtime.Membership;

/// <summary>Operations built from the compare-and-swap primitives of <see cref="IMembershipTable"/>.</summary>
public static class MembershipTableExtensions
{
    /// <summary>
    /// Inserts <paramref name="entry"/> with the lowest worker ID (0..1023) not held by a live member. The
    /// ID is chosen from the same snapshot whose version guards the insert, so two silos joining at once
    /// cannot both get it: the loser's compare-and-swap fails, it re-reads and takes the next free ID.
    /// </summary>
    /// <returns>The inserted row (with its worker ID) and the table version after the insert.</returns>
    /// <exception cref="InvalidOperationException">All 1024 worker IDs are held, or the silo already has a row.</exception>
    public static async Task<(MembershipEntry Entry, long Version)> InsertWithWorkerIdAsync(
        this IMembershipTable table,
        MembershipEntry entry,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(entry);
        for (var attempt = 0; ; attempt++)
        {
            var snapshot = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.TryGet(entry.Silo, out _, out _))
            {
                throw new InvalidOperationException($"Silo {entry.Silo} is already in the membership table; a restarted silo needs a new generation.");
            }

            var workerId = snapshot.LowestFreeWorkerId();
            if (workerId < 0)
            {
                throw new InvalidOperationException("All 1024 worker IDs are held by live members.");
            }

            var row = entry with { WorkerId = workerId };
            if (await table.InsertRowAsync(row, snapshot.Version, cancellationToken).ConfigureAwait(false))
            {
                return (row, snapshot.Version + 1);
            }

            // Contention is short-lived (a burst of joins); a little jitter stops the losers retrying in lockstep.
            if (attempt > 2)
            {
                await Task.Delay(Random.Shared.Next(1, 5 + Math.Min(attempt, 20)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
