using Microsoft.Extensions.Options;
using WellWon.Grains.Domain;

namespace WellWon.Grains.Hosting;

/// <summary>The silo-wide issuer of Snowflake message IDs (one worker ID per silo).</summary>
public interface ISnowflakeSource
{
    /// <summary>This silo's worker ID.</summary>
    int WorkerId { get; }

    /// <summary>The largest millisecond an ID was issued in (persist or lease ahead of it across restarts).</summary>
    long HighWaterMark { get; }

    /// <summary>The next ID: strictly greater than every ID issued before, with a timestamp of at least <paramref name="notBeforeTimestamp"/> ms since the epoch (-1: no floor).</summary>
    long NextId(long notBeforeTimestamp = -1);
}

/// <summary><see cref="ISnowflakeSource"/> over <see cref="SnowflakeGenerator"/>, with the worker ID from <see cref="ChatOptions.WorkerId"/>.</summary>
public sealed class SnowflakeSource : ISnowflakeSource
{
    private readonly SnowflakeGenerator _generator;

    /// <summary>Creates the source.</summary>
    public SnowflakeSource(TimeProvider timeProvider, IOptions<ChatOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _generator = new SnowflakeGenerator(timeProvider, options.Value.WorkerId);
    }

    /// <inheritdoc />
    public int WorkerId => _generator.WorkerId;

    /// <inheritdoc />
    public long HighWaterMark => _generator.HighWaterMark;

    /// <inheritdoc />
    public long NextId(long notBeforeTimestamp = -1) => _generator.NextId(notBeforeTimestamp);
}
