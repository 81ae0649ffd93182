using System.Globalization;

namespace WellWon.Grains.Domain;

/// <summary>
/// Snowflake message IDs: 42 bits of milliseconds since <see cref="Epoch"/>, 10 bits of worker ID and 12 bits of
/// per-millisecond sequence, most significant first, so IDs sort by creation time.
/// </summary>
/// <remarks>
/// The 42 bits fill all 64, so the timestamp's top bit is the sign bit of a <see cref="long"/> (and of CQL and
/// PostgreSQL <c>bigint</c>). IDs are kept non-negative, so they sort the same signed or unsigned, by limiting
/// timestamps to 41 significant bits (<see cref="MaxTimestamp"/>, 2093-09-06); the layout itself is unchanged.
/// </remarks>
public static class Snowflake
{
    /// <summary>Bits of the millisecond timestamp.</summary>
    public const int TimestampBits = 42;

    /// <summary>Bits of the worker ID.</summary>
    public const int WorkerBits = 10;

    /// <summary>Bits of the per-millisecond sequence.</summary>
    public const int SequenceBits = 12;

    /// <summary>Largest worker ID (1023).</summary>
    public const int MaxWorkerId = (1 << WorkerBits) - 1;

    /// <summary>Largest sequence number within one millisecond (4095).</summary>
    public const int MaxSequence = (1 << SequenceBits) - 1;

    /// <summary>
    /// Largest timestamp, in milliseconds since the epoch, of a non-negative ID: 2^41 - 1 (see the remarks on
    /// <see cref="Snowflake"/>).
    /// </summary>
    public const long MaxTimestamp = (1L << (TimestampBits - 1)) - 1;

    /// <summary>The epoch, 2024-01-01T00:00:00Z, as Unix milliseconds.</summary>
    public const long EpochUnixMilliseconds = 1_704_067_200_000;

    private const int WorkerShift = SequenceBits;
    private const int TimestampShift = SequenceBits + WorkerBits;

    /// <summary>The epoch: 2024-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeMilliseconds(EpochUnixMilliseconds);

    /// <summary>Composes an ID from its parts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A part does not fit its bit field.</exception>
    public static long Create(long timestamp, int workerId, int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timestamp, MaxTimestamp);
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workerId, MaxWorkerId);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        return (timestamp << TimestampShift) | ((long)workerId << WorkerShift) | (long)sequence;
    }

    /// <summary>Milliseconds since <see cref="Epoch"/> at which the ID was issued.</summary>
    public static long GetTimestamp(long id) => id >>> TimestampShift;

    /// <summary>The worker that issued the ID.</summary>
    public static int GetWorkerId(long id) => (int)((id >> WorkerShift) & MaxWorkerId);

    /// <summary>The ID's sequence number within its millisecond.</summary>
    public static int GetSequence(long id) => (int)(id & MaxSequence);

    /// <summary>The creation time of the ID (millisecond precision). This is the message time for visibility.</summary>
    public static DateTimeOffset GetCreatedAt(long id) =>
        DateTimeOffset.FromUnixTimeMilliseconds(EpochUnixMilliseconds + GetTimestamp(id));

    /// <summary>
    /// Milliseconds since the epoch of <paramref name="time"/>, rounded down; negative before the epoch.
    /// </summary>
    public static long ToTimestamp(DateTimeOffset time)
    {
        var ticks = (time - Epoch).Ticks;
        return ticks >= 0
            ? ticks / TimeSpan.TicksPerMillisecond
            : -((-ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
    }

    /// <summary>
    /// The smallest ID whose creation time is at or after <paramref name="time"/>: <c>id &gt;= MinId(t)</c> is
    /// exactly <c>GetCreatedAt(id) &gt;= t</c>, which is how visibility windows (<c>joinedAt &lt;= time &lt; leftAt</c>)
    /// translate into ID ranges. Times before the epoch give 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is past the last representable millisecond.</exception>
    public static long MinId(DateTimeOffset time)
    {
        var ticks = (time - Epoch).Ticks;
        if (ticks <= 0)
        {
            return 0;
        }

        // Rounded up: an ID created in the same millisecond but before a sub-millisecond time is earlier than it.
        var ms = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ms, MaxTimestamp, nameof(time));
        return Create(ms, 0, 0);
    }

    /// <summary>
    /// The largest ID whose creation time is at or before <paramref name="time"/>; -1 (below every ID) for times
    /// before the epoch, <see cref="long.MaxValue"/> for times past the last representable millisecond.
    /// </summary>
    public static long MaxId(DateTimeOffset time)
    {
        var ms = ToTimestamp(time);
        if (ms < 0)
        {
            return -1;
        }

        return ms > MaxTimestamp ? long.MaxValue : Create(ms, MaxWorkerId, MaxSequence);
    }

    /// <summary>Formats an ID the way the API carries it: a decimal string.</summary>
    public static string Format(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Parses the API form of an ID: ASCII decimal digits only, no sign, no whitespace, no leading zeros (IDs are only
    /// ever produced by <see cref="Format"/>, so a second spelling of the same ID would only defeat caching and
    /// idempotency keys), within <see cref="long"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long id)
    {
        id = 0;
        if (text.IsEmpty || text.Length > 19 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        ulong value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            // 19 digits fit in a ulong without wrapping, so the overflow check can wait until the end.
            value = (value * 10) + (ulong)(c - '0');
        }

        if (value > long.MaxValue)
        {
            return false;
        }

        id = (long)value;
        return true;
    }

    /// <summary>Parses the API form of an ID (see <see cref="TryParse"/>).</summary>
    /// <exception cref="FormatException">The text is not a valid ID.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a valid Snowflake ID.");
    }
}
