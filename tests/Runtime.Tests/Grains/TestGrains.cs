namespace WellWon.Runtime.Tests.Grains;

[GenerateSerializer]
public sealed class Bag
{
    [Id(0)]
    public List<int> Items { get; set; } = [];

    [Id(1)]
    public string? Label { get; set; }
}

[Immutable]
[GenerateSerializer]
public sealed class Frozen(string text)
{
    [Id(0)]
    public string Text { get; } = text;
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public List<string> History { get; set; } = [];
}

public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds and returns the new total (persisted).</summary>
    Task<int> Add(int amount);

    /// <summary>The current total.</summary>
    [ReadOnly]
    ValueTask<int> Get();

    /// <summary>Deactivates after this call.</summary>
    Task Deactivate();

    /// <summary>Clears stored state.</summary>
    Task Clear();

    /// <summary>Value read in OnActivateAsync (proves state loads first).</summary>
    Task<int> ValueSeenOnActivate();
}

public sealed class CounterGrain(
    [PersistentState("counter")] IPersistentState<CounterState> state,
    Probe probe) : Grain, ICounterGrain
{
    private int _seenOnActivate;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _seenOnActivate = state.State.Value;
        probe.Increment("activate:" + GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Record before counting: a test that waits for the count then reads the events must find this one.
        probe.Record($"deactivate:{GetPrimaryKeyString()}:{reason.Code}");
        probe.Increment("deactivate:" + GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<int> Add(int amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public ValueTask<int> Get() => new(state.State.Value);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Clear() => state.ClearStateAsync();

    public Task<int> ValueSeenOnActivate() => Task.FromResult(_seenOnActivate);
}

public interface ITwinStateGrain : IGrainWithIntegerKey
{
    /// <summary>Writes through the first handle, then through the second (stale) one.</summary>
    Task WriteBothHandles();

    /// <summary>Etag of the first handle.</summary>
    Task<string?> FirstEtag();
}

/// <summary>Two state handles on one record: the second one's etag goes stale when the first writes.</summary>
public sealed class TwinStateGrain(
    [PersistentState("twin", "other")] IPersistentState<CounterState> first,
    [PersistentState("twin", "other")] IPersistentState<CounterState> second) : Grain, ITwinStateGrain
{
    public async Task WriteBothHandles()
    {
        first.State.Value = 1;
        await first.WriteStateAsync();
        second.State.Value = 2;
        await second.WriteStateAsync();
    }

    public Task<string?> FirstEtag() => Task.FromResult(first.Etag);
}

public interface IProbeGrain : IGrainWithGuidKey
{
    /// <summary>Records entry/exit and waits on the named gate; a non-interleaving turn.</summary>
    Task<int> Work(string gate, string tag);

    /// <summary>Read-only variant of <see cref="Work"/>.</summary>
    [ReadOnly]
    Task<int> Read(string gate, string tag);

    /// <summary>Interleaves with anything.</summary>
    [AlwaysInterleave]
    Task<string> Ping(string tag);

    /// <summary>Appends to the call log (ordering tests).</summary>
    Task Append(int value);

    /// <summary>The call log.</summary>
    Task<List<int>> Log();

    /// <summary>Mutates the argument; returns its own list.</summary>
    Task<Bag> MutateAndKeep(Bag bag);

    /// <summary>Returns the bag the grain holds.</summary>
    Task<Bag> Kept();

    /// <summary>Returns whether the argument is the very object the caller passed (immutable types are not copied).</summary>
    Task<bool> SameFrozen(Frozen frozen);

    /// <summary>Throws the named exception type.</summary>
    Task<int> Throw(string kind, string message);

    /// <summary>Never completes until the gate opens.</summary>
    Task Hang(string gate);

    /// <summary>Fire-and-forget.</summary>
    [OneWay]
    Task Notify(string tag);

    /// <summary>Calls another probe grain's Work (deadlock tests).</summary>
    Task<int> CallOther(Guid other, string gate);

    /// <summary>Calls back an observer.</summary>
    Task Tell(IPing observer, string text);

    /// <summary>Sends 1..count to an observer as one-way calls, in one turn.</summary>
    Task TellMany(IPing observer, int count);

    /// <summary>Starts a periodic timer.</summary>
    Task StartTimer(TimeSpan period, string gate);

    /// <summary>Activations of this key so far.</summary>
    Task<int> Activations();
}

public interface IPing : IGrainObserver
{
    /// <summary>Delivers a text.</summary>
    Task Hello(string text);

    /// <summary>One-way notification carrying a number.</summary>
    [OneWay]
    Task Note(int n);
}

public sealed class ProbeGrain(Probe probe) : Grain, IProbeGrain
{
    private readonly List<int> _log = [];
    private Bag _kept = new();

    private string Key => GetPrimaryKey().ToString("N");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Increment("activate:" + Key);
        if (probe.Count("fail-activation:" + Key) > 0)
        {
            throw new InvalidOperationException("activation refused by test");
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Record($"deactivate:{Key}:{reason.Code}");
        return Task.CompletedTask;
    }

    public async Task<int> Work(string gate, string tag)
    {
        probe.Enter(Key);
        probe.Record("start:" + tag);
        await probe.Gate(gate);
        probe.Record("end:" + tag);
        probe.Exit(Key);
        return 1;
    }

    public async Task<int> Read(string gate, string tag)
    {
        probe.Enter(Key + ".read");
        probe.Record("start:" + tag);
        probe.Increment(gate + ".entered");
        await probe.Gate(gate);
        probe.Record("end:" + tag);
        probe.Exit(Key + ".read");
        return 2;
    }

    public Task<string> Ping(string tag)
    {
        probe.Record("ping:" + tag);
        return Task.FromResult(tag);
    }

    public Task Append(int value)
    {
        _log.Add(value);
        return Task.CompletedTask;
    }

    public Task<List<int>> Log() => Task.FromResult(_log);

    public Task<Bag> MutateAndKeep(Bag bag)
    {
        bag.Items.Add(-1);
        bag.Label = "mutated by grain";
        _kept = bag;
        return Task.FromResult(_kept);
    }

    public Task<Bag> Kept() => Task.FromResult(_kept);

    public Task<bool> SameFrozen(Frozen frozen) => Task.FromResult(ReferenceEquals(frozen, probe.Stash));

    public Task<int> Throw(string kind, string message) => kind switch
    {
        "argument" => throw new ArgumentException(message, "amount"),
        "invalid" => throw new InvalidOperationException(message),
        "custom" => throw new TestDomainException(message),
        _ => Task.FromResult(0),
    };

    public Task Hang(string gate) => probe.Gate(gate);

    public Task Notify(string tag)
    {
        probe.Record("notify:" + tag);
        return Task.CompletedTask;
    }

    public Task<int> CallOther(Guid other, string gate) => GrainFactory.GetGrain<IProbeGrain>(other).CallBack(GetPrimaryKey(), gate);

    public Task Tell(IPing observer, string text) => observer.Hello(text);

    public Task TellMany(IPing observer, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            _ = observer.Note(i);
        }

        return Task.CompletedTask;
    }

    public Task StartTimer(TimeSpan period, string gate)
    {
        RegisterGrainTimer(
            async ct =>
            {
                probe.Enter(Key + ".timer");
                probe.Enter(Key);
                var n = probe.Increment(Key + ".ticks");
                probe.Record("tick:" + n);
                await probe.Gate(gate + n);
                probe.Exit(Key);
                probe.Exit(Key + ".timer");
            },
            period,
            period);
        return Task.CompletedTask;
    }

    public Task<int> Activations() => Task.FromResult(probe.Count("activate:" + Key));
}

public sealed class TestDomainException(string message) : Exception(message);

/// <summary>Extension used by deadlock tests: B calls back A's non-reentrant Work.</summary>
public static class ProbeGrainExtensions
{
    public static Task<int> CallBack(this IProbeGrain grain, Guid caller, string gate) => grain.CallOther(caller, gate);
}
