using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// The pure decisions of failure detection: whom a silo probes and what its suspicion vote does to the
/// suspect's row. Kept free of I/O and clocks so they can be tested exhaustively and reused by any table.
/// </summary>
public static class MembershipPolicy
{
    /// <summary>
    /// The next <paramref name="count"/> live members (Joining, Active, ShuttingDown) after <paramref name="self"/> on a
    /// ring ordered by <see cref="SiloAddress.UniformHash"/>. Hash order, not address order, so that silos on one
    /// host do not all probe each other; every live silo is probed by its <paramref name="count"/> predecessors.
    /// </summary>
    public static IReadOnlyList<SiloAddress> ProbeTargets(MembershipView view, SiloAddress self, int count)
    {
        ArgumentNullException.ThrowIfNull(view);
        var ring = view.Members
            .Where(m => m.IsLive)
            .Select(m => m.Silo)
            .OrderBy(s => s.UniformHash)
            .ThenBy(s => s)
            .ToList();
        var me = ring.IndexOf(self);
        var result = new List<SiloAddress>();
        if (me < 0)
        {
            return result;
        }

        for (var i = 1; i <= Math.Min(count, ring.Count - 1); i++)
        {
            result.Add(ring[(me + i) % ring.Count]);
        }

        return result;
    }

    /// <summary>
    /// The suspect's row after <paramref name="voter"/> votes against it at <paramref name="now"/>, or null if the
    /// vote is void (the voter is not Active, or the suspect is not live). Votes older than
    /// <see cref="ClusterMembershipOptions.DeathVoteExpiration"/> or than the suspect's last heartbeat (if that is not
    /// in the voter's future) are dropped,
    /// the voter's own earlier vote is replaced, and if the fresh votes reach
    /// min(<see cref="ClusterMembershipOptions.NumVotesForDeathDeclaration"/>, active silos other than the suspect)
    /// the row comes back with status Dead.
    /// </summary>
    public static MembershipEntry? Vote(
        MembershipTableData snapshot,
        SiloAddress voter,
        SiloAddress suspect,
        DateTimeOffset now,
        ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        if (!snapshot.TryGet(voter, out var self, out _) || self.Status != SiloStatus.Active
            || !snapshot.TryGet(suspect, out var entry, out _) || !entry.IsLive || voter == suspect)
        {
            return null;
        }

        var cutoff = now - options.DeathVoteExpiration;
        // A heartbeat stamped in the voter's future comes from a clock running ahead; letting it retire votes
        // would delay the suspect's death by the whole skew, so only heartbeats in the voter's past count.
        var heartbeat = entry.IAmAliveTime <= now ? entry.IAmAliveTime : DateTimeOffset.MinValue;
        var votes = entry.Suspicions
            .Where(v => v.Voter != voter && v.Time > cutoff && v.Time >= heartbeat)
            .Append(new SuspicionVote(voter, now))
            .ToList();
        var otherActive = snapshot.Entries.Count(e => e.Entry.Status == SiloStatus.Active && e.Entry.Silo != suspect);
        var needed = Math.Min(options.NumVotesForDeathDeclaration, Math.Max(1, otherActive));
        return entry with { Suspicions = votes, Status = votes.Count >= needed ? SiloStatus.Dead : entry.Status };
    }
}
