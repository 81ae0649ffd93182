using WellWon.Runtime;

namespace WellWon.Grains.Interfaces;

/// <summary>A trivial grain the hosts call to prove the cluster answers (readiness probes).</summary>
public interface IHealthGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the silo-side UTC time; any answer means the grain runtime works.</summary>
    [ReadOnly]
    Task<DateTimeOffset> Ping();
}
