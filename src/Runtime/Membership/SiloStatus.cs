namespace WellWon.Runtime.Membership;

/// <summary>The lifecycle of a silo as recorded in the membership table. Transitions only move forward.</summary>
public enum SiloStatus
{
    /// <summary>Not a member (the default value; never written to the table).</summary>
    None = 0,

    /// <summary>Inserted into the table but not yet serving; holds a worker ID, is probed, takes no grains.</summary>
    Joining = 1,

    /// <summary>A full member: owns grains and probes its successors.</summary>
    Active = 2,

    /// <summary>Leaving gracefully: already out of the placement view, still finishing in-flight work.</summary>
    ShuttingDown = 3,

    /// <summary>Gone for good. A silo that reads itself as Dead must stop; its address is never reused.</summary>
    Dead = 4,
}
