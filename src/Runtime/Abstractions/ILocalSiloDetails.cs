using WellWon.Runtime.Cluster;

namespace WellWon.Runtime;

/// <summary>What this silo is: its name, and in a cluster its address and leased worker ID.</summary>
public interface ILocalSiloDetails
{
    /// <summary>The configured silo name.</summary>
    string SiloName { get; }

    /// <summary>The silo's cluster address; null for a silo that runs alone.</summary>
    SiloAddress? Address { get; }

    /// <summary>The 10-bit worker ID this silo leased from the membership table (unique among live silos); null for a silo that runs alone.</summary>
    int? WorkerId { get; }
}
