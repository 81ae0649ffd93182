using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Silo;

/// <summary>Answers readiness pings.</summary>
[StatelessWorker]
public sealed class HealthGrain : Grain, IHealthGrain
{
    public Task<DateTimeOffset> Ping() => Task.FromResult(TimeProvider.GetUtcNow());
}
