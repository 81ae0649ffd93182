using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// One silo's view of the cluster at a table version. Views only move forward: a view with a lower or equal
/// version than the current one is never published.
/// </summary>
/// <param name="Version">The table version this view was read at.</param>
/// <param name="ActiveSilos">Active silos sorted by <see cref="SiloAddress"/>: the placement set (excludes Joining and ShuttingDown).</param>
/// <param name="Members">Every row of the table at that version.</param>
public sealed record MembershipView(long Version, IReadOnlyList<SiloAddress> ActiveSilos, IReadOnlyList<MembershipEntry> Members)
{
    /// <summary>The view before anything was read.</summary>
    public static MembershipView Empty { get; } = new(-1, [], []);

    /// <summary>The status of <paramref name="silo"/> in this view (None if it has no row).</summary>
    public SiloStatus StatusOf(SiloAddress silo)
    {
        foreach (var m in Members)
        {
            if (m.Silo == silo)
            {
                return m.Status;
            }
        }

        return SiloStatus.None;
    }

    /// <summary>Builds the view of a table snapshot.</summary>
    public static MembershipView From(MembershipTableData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var members = data.Entries.Select(e => e.Entry).OrderBy(e => e.Silo).ToArray();
        var active = members.Where(e => e.Status == SiloStatus.Active).Select(e => e.Silo).ToArray();
        return new MembershipView(data.Version, active, members);
    }
}
