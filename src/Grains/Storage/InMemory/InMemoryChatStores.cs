namespace WellWon.Grains.Storage.InMemory;

/// <summary>
/// One in-memory instance of every chat storage port, sharing one <see cref="InMemoryStoreMetrics"/>: the development
/// profile's stores, and a test's way to inspect what the grains did to them.
/// </summary>
public sealed class InMemoryChatStores
{
    /// <summary>Creates a fresh, empty set of stores.</summary>
    public InMemoryChatStores(InMemoryStoreMetrics? metrics = null)
    {
        Metrics = metrics ?? new InMemoryStoreMetrics();
        Messages = new InMemoryMessageStore(Metrics);
        BucketIndex = new InMemoryBucketIndex(Metrics);
        Reactions = new InMemoryReactionStore(Metrics);
        Pins = new InMemoryPinStore(Metrics);
        ReadPositions = new InMemoryReadPositionStore(Metrics);
        Users = new InMemoryUserStore(Metrics);
        Channels = new InMemoryChannelStore(Metrics);
        Memberships = new InMemoryMembershipStore(Metrics);
    }

    /// <summary>The counters shared by every store here.</summary>
    public InMemoryStoreMetrics Metrics { get; }

    /// <summary>Messages and nonces.</summary>
    public InMemoryMessageStore Messages { get; }

    /// <summary>Non-empty buckets per channel.</summary>
    public InMemoryBucketIndex BucketIndex { get; }

    /// <summary>Reactions.</summary>
    public InMemoryReactionStore Reactions { get; }

    /// <summary>Pins.</summary>
    public InMemoryPinStore Pins { get; }

    /// <summary>Read positions.</summary>
    public InMemoryReadPositionStore ReadPositions { get; }

    /// <summary>User accounts.</summary>
    public InMemoryUserStore Users { get; }

    /// <summary>Channels.</summary>
    public InMemoryChannelStore Channels { get; }

    /// <summary>Memberships.</summary>
    public InMemoryMembershipStore Memberships { get; }
}
