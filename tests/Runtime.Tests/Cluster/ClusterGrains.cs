using Microsoft.Extensions.Options;
using WellWon.Runtime.Configuration;

namespace WellWon.Runtime.Tests.Cluster;

[GenerateSerializer]
public sealed class TallyState
{
    [Id(0)]
    public int Total { get; set; }
}

public interface ITallyGrain : IGrainWithIntegerKey
{
    /// <summary>Adds to the persisted total and returns it.</summary>
    Task<int> Add(int amount);

    /// <summary>The silo hosting this activation.</summary>
    [ReadOnly]
    Task<string> Host();

    /// <summary>Calls another tally grain (silo-to-silo traffic).</summary>
    Task<int> AddVia(long other, int amount);

    /// <summary>Calls back an observer with the hosting silo's name.</summary>
    Task Announce(IClusterObserver observer);
}

public interface IClusterObserver : IGrainObserver
{
    /// <summary>Receives a text.</summary>
    Task Hello(string text);
}

public sealed class TallyGrain([PersistentState("tally")] IPersistentState<TallyState> state, IOptions<SiloOptions> silo) : Grain, ITallyGrain
{
    public async Task<int> Add(int amount)
    {
        state.State.Total += amount;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task<string> Host() => Task.FromResult(silo.Value.SiloName);

    public Task<int> AddVia(long other, int amount) => GrainFactory.GetGrain<ITallyGrain>(other).Add(amount);

    public Task Announce(IClusterObserver observer) => observer.Hello(silo.Value.SiloName);
}
