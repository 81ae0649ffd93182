using Microsoft.Extensions.Options;

namespace WellWon.Runtime.Configuration;

/// <summary>Options of a silo's runtime (binds to the "WellWon:Silo" configuration section).</summary>
public sealed class SiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WellWon:Silo";

    /// <summary>Default of <see cref="ResponseTimeout"/>.</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default of <see cref="CollectionAge"/>.</summary>
    public static readonly TimeSpan DefaultCollectionAge = TimeSpan.FromMinutes(15);

    /// <summary>Default of <see cref="CollectionQuantum"/>.</summary>
    public static readonly TimeSpan DefaultCollectionQuantum = TimeSpan.FromMinutes(1);

    /// <summary>Default of <see cref="DeactivationTimeout"/>.</summary>
    public static readonly TimeSpan DefaultDeactivationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Identifies the cluster; processes with another cluster ID refuse to talk to this one.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>A name for logs and metrics; defaults to the machine name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>Deadline of every grain call; a call not answered by then fails with <see cref="TimeoutException"/>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = DefaultResponseTimeout;

    /// <summary>An activation idle this long is deactivated (per class override: [CollectionAgeLimit]).</summary>
    public TimeSpan CollectionAge { get; set; } = DefaultCollectionAge;

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionQuantum { get; set; } = DefaultCollectionQuantum;

    /// <summary>How long shutdown waits for activations to finish their last turn and OnDeactivateAsync.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = DefaultDeactivationTimeout;
}

/// <summary>Rejects settings the runtime cannot work with, naming the setting.</summary>
public sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add($"{SiloOptions.SectionName}:{nameof(SiloOptions.ClusterId)} must not be empty.");
        }

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SiloOptions.SectionName}:{nameof(SiloOptions.ResponseTimeout)} must be positive (was {options.ResponseTimeout}).");
        }

        if (options.CollectionAge <= TimeSpan.Zero)
        {
            errors.Add($"{SiloOptions.SectionName}:{nameof(SiloOptions.CollectionAge)} must be positive (was {options.CollectionAge}).");
        }

        if (options.CollectionQuantum <= TimeSpan.Zero || options.CollectionQuantum > options.CollectionAge)
        {
            errors.Add($"{SiloOptions.SectionName}:{nameof(SiloOptions.CollectionQuantum)} must be positive and at most CollectionAge (was {options.CollectionQuantum}).");
        }

        if (options.DeactivationTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SiloOptions.SectionName}:{nameof(SiloOptions.DeactivationTimeout)} must be positive (was {options.DeactivationTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
