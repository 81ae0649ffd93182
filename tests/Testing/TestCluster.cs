using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Runtime;
using WellWon.Runtime.Cluster;
using WellWon.Runtime.Configuration;
using WellWon.Runtime.Core;
using WellWon.Runtime.Hosting;
using WellWon.Runtime.Membership;
using WellWon.Runtime.Persistence;

namespace WellWon.Testing;

/// <summary>
/// N silos in one process on loopback ports, talking over real TCP, plus a cluster client. Silos share one
/// membership table and one grain storage (as they would share a database). Silos can be stopped gracefully,
/// killed abruptly, cut off the network, or added while a test runs.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<TestSiloHandle> _silos = [];
    private readonly Action<ISiloBuilder>? _configureSilo;
    private readonly Action<ClusteringOptions>? _configureClustering;
    private readonly string _clusterId;
    private IHost? _client;

    private TestCluster(string clusterId, IMembershipTable table, IGrainStorage storage, Action<ISiloBuilder>? configureSilo, Action<ClusteringOptions>? configureClustering)
    {
        _clusterId = clusterId;
        Table = table;
        Storage = storage;
        _configureSilo = configureSilo;
        _configureClustering = configureClustering;
    }

    /// <summary>The shared membership table.</summary>
    public IMembershipTable Table { get; }

    /// <summary>The shared "Default" grain storage.</summary>
    public IGrainStorage Storage { get; }

    /// <summary>Every silo started so far (including stopped and killed ones).</summary>
    public IReadOnlyList<TestSiloHandle> Silos
    {
        get
        {
            lock (_silos)
            {
                return [.. _silos];
            }
        }
    }

    /// <summary>The silos still running.</summary>
    public IReadOnlyList<TestSiloHandle> LiveSilos => [.. Silos.Where(s => s.IsRunning)];

    /// <summary>The cluster client's grain factory.</summary>
    public IGrainFactory Client => _client!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts <paramref name="silos"/> silos and a client, and waits until they all see the same view.</summary>
    public static async Task<TestCluster> StartAsync(
        int silos,
        Action<ISiloBuilder>? configureSilo = null,
        Action<ClusteringOptions>? configureClustering = null,
        IMembershipTable? table = null,
        IGrainStorage? storage = null,
        string? clusterId = null)
    {
        var cluster = new TestCluster(
            clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..8], table ?? new InMemoryMembershipTable(), storage ?? new MemoryGrainStorage(), configureSilo, configureClustering);
        for (var i = 0; i < silos; i++)
        {
            await cluster.StartSiloAsync().ConfigureAwait(false);
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(cluster.Table);
        builder.Services.AddWellWonClusterClient(o => o.ClusterId = cluster._clusterId, cluster._configureClustering);
        cluster._client = builder.Build();
        await cluster._client.StartAsync().ConfigureAwait(false);
        await cluster.WaitForStableViewAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Starts one more silo and returns it once it has joined.</summary>
    public async Task<TestSiloHandle> StartSiloAsync()
    {
        int index;
        lock (_silos)
        {
            index = _silos.Count;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var silo = builder.Services.AddWellWonSilo(o =>
        {
            o.ClusterId = _clusterId;
            o.SiloName = "silo" + index;
        });
        builder.Services.AddKeyedSingleton(GrainStorage.DefaultProviderName, Storage);
        silo.UseMembershipTable(Table).AddWellWonClustering(_configureClustering);
        _configureSilo?.Invoke(silo);
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);

        // Like a real process (RunAsync): a silo that asks to stop (e.g. after being declared dead) stops its host.
        _ = host.WaitForShutdownAsync();
        var handle = new TestSiloHandle(host, index);
        lock (_silos)
        {
            _silos.Add(handle);
        }

        return handle;
    }

    /// <summary>Graceful stop: leaves the view, drains and deactivates grains, writes Dead.</summary>
    public async Task StopSiloAsync(TestSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await silo.Host.StopAsync().ConfigureAwait(false);
        silo.MarkStopped();
    }

    /// <summary>Abrupt stop, as if the process died: sockets drop, nothing is written, no grain deactivates.</summary>
    public async Task KillSiloAsync(TestSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Runtime.Catalog.Close();
        await silo.Fabric.KillAsync().ConfigureAwait(false);
        silo.MarkStopped();
        silo.Host.Dispose();
    }

    /// <summary>Cuts a silo off the network (its probes and messages fail) without stopping it.</summary>
    public static void Isolate(TestSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Fabric.Isolate();
    }

    /// <summary>Waits until every running silo and the client see exactly the running, non-isolated silos as active.</summary>
    public async Task WaitForStableViewAsync(TimeSpan timeout)
    {
        await Eventually.WaitUntil(
            () =>
            {
                var expected = LiveSilos.Where(s => !s.Fabric.IsIsolated).Select(s => s.Address).OrderBy(a => a).ToList();
                var observers = LiveSilos.Where(s => !s.Fabric.IsIsolated).Select(s => s.Fabric).ToList();
                if (_client is not null)
                {
                    observers.Add(_client.Services.GetRequiredService<ClusterFabric>());
                }

                return observers.All(f => f.View.ActiveSilos.OrderBy(a => a).SequenceEqual(expected));
            },
            timeout,
            "every silo and the client to agree on the active silos").ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync().ConfigureAwait(false);
            _client.Dispose();
        }

        foreach (var silo in Silos)
        {
            if (silo.IsRunning)
            {
                try
                {
                    await silo.Host.StopAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // A silo that cannot finish its shutdown in time is torn down anyway.
                }
            }

            // Killed silos are disposed already; stopped and self-stopped ones are disposed here (Dispose is idempotent).
            silo.MarkStopped();
            silo.Host.Dispose();
        }
    }
}

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed class TestSiloHandle
{
    internal TestSiloHandle(IHost host, int index)
    {
        Host = host;
        Index = index;
        Address = Fabric.Silo!;
    }

    /// <summary>The silo's host.</summary>
    public IHost Host { get; }

    /// <summary>Order of creation.</summary>
    public int Index { get; }

    /// <summary>The silo's address (endpoint and generation).</summary>
    public SiloAddress Address { get; }

    /// <summary>Grain factory of this silo (calls made from inside the cluster).</summary>
    public IGrainFactory Grains => Host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Whether the silo has not been stopped or killed (a silo declared dead stops itself).</summary>
    public bool IsRunning => !_stopped && !Fabric.DeclaredDead.IsCompleted;

    /// <summary>The worker ID leased from the membership table.</summary>
    public int WorkerId => Fabric.Agent?.WorkerId ?? -1;

    /// <summary>Live activations on this silo.</summary>
    public int ActivationCount => Runtime.Catalog.Count;

    /// <summary>Whether this silo holds an activation of <paramref name="grainId"/>.</summary>
    public bool HasActivation(GrainId grainId) => Runtime.Catalog.TryGet(grainId, out var a) && a.Status != ActivationStatus.Invalid;

    /// <summary>Suspicion votes this silo has written against others.</summary>
    public long SuspicionVotesCast => Fabric.Agent?.SuspicionVotesCast ?? 0;

    /// <summary>Completes when the silo's host has stopped (its services shut down).</summary>
    public Task Stopped
    {
        get
        {
            var lifetime = Host.Services.GetRequiredService<IHostApplicationLifetime>();
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
            return stopped.Task;
        }
    }

    /// <summary>Completes when the cluster declares this silo dead.</summary>
    public Task DeclaredDead => Fabric.DeclaredDead;

    internal GrainRuntime Runtime => Host.Services.GetRequiredService<GrainRuntime>();

    internal ClusterFabric Fabric => Host.Services.GetRequiredService<ClusterFabric>();

    private bool _stopped;

    internal void MarkStopped() => _stopped = true;

    /// <inheritdoc/>
    public override string ToString() => $"silo{Index} {Address}";
}
