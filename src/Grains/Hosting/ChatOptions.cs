namespace WellWon.Grains.Hosting;

/// <summary>Chat grain settings (configuration section <c>WellWon:Chat</c>).</summary>
public sealed class ChatOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Chat";

    /// <summary>
    /// The Snowflake worker ID of this silo, 0..1023, unique among live silos. Configured for now; the cluster's leased
    /// worker ID replaces it later.
    /// </summary>
    public int WorkerId { get; set; }

    /// <summary>Concurrent identical history reads of a channel share one store query (default true; benchmarks turn it off).</summary>
    public bool CoalesceReads { get; set; } = true;

    /// <summary>Recent messages each active channel keeps in memory, write-through (default 256; 0 disables the hot window).</summary>
    public int HotWindowSize { get; set; } = 256;

    /// <summary>How long an observer subscription lasts without renewal (default 5 minutes).</summary>
    public TimeSpan SubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a gateway node's registration for a user lasts without renewal (default 5 minutes).</summary>
    public TimeSpan GatewayRegistrationLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Unread counts saturate here (default 1000): counting beyond the hot window reads history, so it is bounded.</summary>
    public int UnreadCountLimit { get; set; } = 1000;
}
