using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>A suspicion vote: <paramref name="Voter"/> could not reach the suspect, directly or indirectly, at <paramref name="Time"/>.</summary>
public sealed record SuspicionVote(SiloAddress Voter, DateTimeOffset Time);

/// <summary>
/// One row of the membership table. Immutable: change a row with <c>with</c> and write it back through
/// <see cref="IMembershipTable.UpdateRowAsync"/> under its etag.
/// </summary>
/// <param name="Silo">The member (endpoint plus generation).</param>
/// <param name="SiloName">A human-readable name (host name, pod name) for logs and dashboards.</param>
/// <param name="Status">Where the member is in its lifecycle.</param>
/// <param name="StartTime">When the member started (its own clock).</param>
/// <param name="IAmAliveTime">The member's last heartbeat (its own clock); informational, plus it retires older votes.</param>
/// <param name="WorkerId">The leased worker ID, 0..1023 (unique among non-Dead members), used for ID generation.</param>
public sealed record MembershipEntry(
    SiloAddress Silo,
    string SiloName,
    SiloStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset IAmAliveTime,
    int WorkerId)
{
    /// <summary>The smallest worker ID.</summary>
    public const int MinWorkerId = 0;

    /// <summary>The largest worker ID (10 bits, Snowflake-style).</summary>
    public const int MaxWorkerId = 1023;

    private readonly IReadOnlyList<SuspicionVote> _suspicions = [];

    /// <summary>Suspicion votes against this member, at most one per voter (a voter re-voting replaces its vote).</summary>
    public IReadOnlyList<SuspicionVote> Suspicions
    {
        get => _suspicions;
        // Copy so a caller's list can never alias a stored row.
        init => _suspicions = value is null ? [] : [.. value];
    }

    /// <summary>The port clients connect to, when this silo is also a gateway; null otherwise.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>True for Joining, Active and ShuttingDown: the member still holds its worker ID and is probed.</summary>
    public bool IsLive => Status is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown;
}

/// <summary>A consistent snapshot of the membership table: its version and every row with its etag.</summary>
/// <param name="Version">The table version; every successful insert or update increments it by one.</param>
/// <param name="Entries">The rows, in no particular order.</param>
public sealed record MembershipTableData(long Version, IReadOnlyList<(MembershipEntry Entry, string ETag)> Entries)
{
    /// <summary>The row of <paramref name="silo"/> and its etag, if present.</summary>
    public bool TryGet(SiloAddress silo, out MembershipEntry entry, out string etag)
    {
        foreach (var (e, t) in Entries)
        {
            if (e.Silo == silo)
            {
                entry = e;
                etag = t;
                return true;
            }
        }

        entry = null!;
        etag = string.Empty;
        return false;
    }

    /// <summary>The lowest worker ID not held by a live member, or -1 when all 1024 are taken.</summary>
    public int LowestFreeWorkerId()
    {
        var taken = new bool[MembershipEntry.MaxWorkerId + 1];
        foreach (var (e, _) in Entries)
        {
            if (e.IsLive && e.WorkerId is >= MembershipEntry.MinWorkerId and <= MembershipEntry.MaxWorkerId)
            {
                taken[e.WorkerId] = true;
            }
        }

        return Array.IndexOf(taken, false);
    }
}
