namespace WellWon.Grains.Hosting;

/// <summary>
/// Silo-wide chat counters (history reads and how they were served), for metrics and for tests that must know how
/// many reads have reached the channel grains. Thread-safe.
/// </summary>
public sealed class ChatMetrics
{
    private long _historyRequests;
    private long _historyHotWindowHits;
    private long _historyStoreReads;
    private long _messagesSent;

    /// <summary>History requests that passed access checks and reached the read path.</summary>
    public long HistoryRequests => Interlocked.Read(ref _historyRequests);

    /// <summary>History requests answered from the hot window without touching the store.</summary>
    public long HistoryHotWindowHits => Interlocked.Read(ref _historyHotWindowHits);

    /// <summary>Store reads started for history (one per coalesced group).</summary>
    public long HistoryStoreReads => Interlocked.Read(ref _historyStoreReads);

    /// <summary>Messages created.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    internal void HistoryRequest() => Interlocked.Increment(ref _historyRequests);

    internal void HotWindowHit() => Interlocked.Increment(ref _historyHotWindowHits);

    internal void StoreRead() => Interlocked.Increment(ref _historyStoreReads);

    internal void MessageSent() => Interlocked.Increment(ref _messagesSent);
}
