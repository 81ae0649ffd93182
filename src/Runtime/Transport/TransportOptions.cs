using Microsoft.Extensions.Options;

namespace WellWon.Runtime.Transport;

/// <summary>Settings of the TCP transport (binds to the "WellWon:Transport" configuration section).</summary>
public sealed class TransportOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WellWon:Transport";

    /// <summary>Default of <see cref="MaxFrameSize"/>: 16 MiB.</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>Default of <see cref="SendQueueCapacity"/>.</summary>
    public const int DefaultSendQueueCapacity = 4096;

    /// <summary>Default of <see cref="MaxBatchBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxBatchBytes = 1024 * 1024;

    /// <summary>Default of <see cref="HandshakeTimeout"/> in milliseconds.</summary>
    public const int DefaultHandshakeTimeoutMilliseconds = 5_000;

    /// <summary>Default of <see cref="ConnectTimeout"/> in milliseconds.</summary>
    public const int DefaultConnectTimeoutMilliseconds = 5_000;

    /// <summary>Default of <see cref="ConnectionsPerEndpoint"/>.</summary>
    public const int DefaultConnectionsPerEndpoint = 1;

    /// <summary>Default of <see cref="ReconnectBaseDelay"/> in milliseconds.</summary>
    public const int DefaultReconnectBaseDelayMilliseconds = 100;

    /// <summary>Default of <see cref="ReconnectMaxDelay"/> in milliseconds.</summary>
    public const int DefaultReconnectMaxDelayMilliseconds = 10_000;

    /// <summary>Default of <see cref="ClusterId"/>.</summary>
    public const string DefaultClusterId = "dev";

    /// <summary>Identifies the cluster; a handshake from another cluster is rejected.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>Largest accepted frame (length prefix value: header plus payload); larger ones close the connection.</summary>
    public int MaxFrameSize { get; set; } = DefaultMaxFrameSize;

    /// <summary>
    /// Frames a connection buffers before <c>SendAsync</c> waits: the backpressure bound that keeps a slow
    /// peer from growing the sender's memory without limit.
    /// </summary>
    public int SendQueueCapacity { get; set; } = DefaultSendQueueCapacity;

    /// <summary>The writer loop flushes after this many bytes even if more frames are queued.</summary>
    public int MaxBatchBytes { get; set; } = DefaultMaxBatchBytes;

    /// <summary>How long either side waits for the other's handshake before closing the socket.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultHandshakeTimeoutMilliseconds);

    /// <summary>How long an outbound TCP connect may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultConnectTimeoutMilliseconds);

    /// <summary>Multiplexed connections the pool keeps per remote endpoint (requests are spread round-robin).</summary>
    public int ConnectionsPerEndpoint { get; set; } = DefaultConnectionsPerEndpoint;

    /// <summary>Backoff after the first failed connect to an endpoint; doubles per consecutive failure.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(DefaultReconnectBaseDelayMilliseconds);

    /// <summary>Upper bound of the reconnect backoff.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMilliseconds(DefaultReconnectMaxDelayMilliseconds);

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every bad setting.</summary>
    public void ThrowIfInvalid()
    {
        var result = new TransportOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(TransportOptions), typeof(TransportOptions), result.Failures);
        }
    }
}

/// <summary>Rejects transport settings that cannot work, naming the setting.</summary>
public sealed class TransportOptionsValidator : IValidateOptions<TransportOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = TransportOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add($"{s}:{nameof(TransportOptions.ClusterId)} must not be empty.");
        }

        if (options.MaxFrameSize < Frame.HeaderSize)
        {
            errors.Add($"{s}:{nameof(TransportOptions.MaxFrameSize)} must be at least {Frame.HeaderSize} (was {options.MaxFrameSize}).");
        }

        if (options.SendQueueCapacity <= 0)
        {
            errors.Add($"{s}:{nameof(TransportOptions.SendQueueCapacity)} must be positive (was {options.SendQueueCapacity}).");
        }

        if (options.MaxBatchBytes <= 0)
        {
            errors.Add($"{s}:{nameof(TransportOptions.MaxBatchBytes)} must be positive (was {options.MaxBatchBytes}).");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:{nameof(TransportOptions.HandshakeTimeout)} must be positive (was {options.HandshakeTimeout}).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:{nameof(TransportOptions.ConnectTimeout)} must be positive (was {options.ConnectTimeout}).");
        }

        if (options.ConnectionsPerEndpoint <= 0)
        {
            errors.Add($"{s}:{nameof(TransportOptions.ConnectionsPerEndpoint)} must be positive (was {options.ConnectionsPerEndpoint}).");
        }

        if (options.ReconnectBaseDelay < TimeSpan.Zero)
        {
            errors.Add($"{s}:{nameof(TransportOptions.ReconnectBaseDelay)} must not be negative (was {options.ReconnectBaseDelay}).");
        }

        if (options.ReconnectMaxDelay < options.ReconnectBaseDelay)
        {
            errors.Add($"{s}:{nameof(TransportOptions.ReconnectMaxDelay)} must be at least {nameof(TransportOptions.ReconnectBaseDelay)} (was {options.ReconnectMaxDelay} < {options.ReconnectBaseDelay}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
