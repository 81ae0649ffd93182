using Microsoft.Extensions.Options;

namespace WellWon.Runtime.Membership;

/// <summary>
/// Failure-detection and table timing. The defaults detect a killed silo in about 2-3 s (Orleans' defaults
/// take 15-25 s): two missed 1 s probes plus a failed indirect probe from each of two voters.
/// </summary>
public sealed class ClusterMembershipOptions
{
    /// <summary>Default <see cref="ProbePeriod"/>: 1 s.</summary>
    public static readonly TimeSpan DefaultProbePeriod = TimeSpan.FromSeconds(1);

    /// <summary>Default <see cref="ProbeTimeout"/>: 1 s.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default <see cref="MissedProbesLimit"/>: 2.</summary>
    public const int DefaultMissedProbesLimit = 2;

    /// <summary>Default <see cref="NumProbedSilos"/>: 3.</summary>
    public const int DefaultNumProbedSilos = 3;

    /// <summary>Default <see cref="NumVotesForDeathDeclaration"/>: 2.</summary>
    public const int DefaultNumVotesForDeathDeclaration = 2;

    /// <summary>Default <see cref="DeathVoteExpiration"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultDeathVoteExpiration = TimeSpan.FromSeconds(10);

    /// <summary>Default <see cref="IAmAlivePeriod"/>: 5 s.</summary>
    public static readonly TimeSpan DefaultIAmAlivePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Default <see cref="TableRefreshPeriod"/>: 5 s.</summary>
    public static readonly TimeSpan DefaultTableRefreshPeriod = TimeSpan.FromSeconds(5);

    /// <summary>Default <see cref="DefunctSiloExpiration"/>: 1 day.</summary>
    public static readonly TimeSpan DefaultDefunctSiloExpiration = TimeSpan.FromDays(1);

    /// <summary>How often each silo probes its successors (start to start).</summary>
    public TimeSpan ProbePeriod { get; set; } = DefaultProbePeriod;

    /// <summary>How long a direct probe may take before it counts as missed, on a monotonic clock.</summary>
    public TimeSpan ProbeTimeout { get; set; } = DefaultProbeTimeout;

    /// <summary>Consecutive missed direct probes before the prober asks another silo and then votes.</summary>
    public int MissedProbesLimit { get; set; } = DefaultMissedProbesLimit;

    /// <summary>How many ring successors each silo probes.</summary>
    public int NumProbedSilos { get; set; } = DefaultNumProbedSilos;

    /// <summary>Fresh votes needed to declare a silo dead (capped by the number of other active silos).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = DefaultNumVotesForDeathDeclaration;

    /// <summary>Votes older than this are ignored (as are votes older than the suspect's last heartbeat).</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = DefaultDeathVoteExpiration;

    /// <summary>How often a silo writes its heartbeat into the table.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = DefaultIAmAlivePeriod;

    /// <summary>How often a silo re-reads the table even without gossip (the fallback when gossip is lost).</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = DefaultTableRefreshPeriod;

    /// <summary>Dead rows whose last heartbeat is older than this are deleted from the table.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = DefaultDefunctSiloExpiration;

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var result = new ClusterMembershipOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ClusterMembershipOptions), typeof(ClusterMembershipOptions), result.Failures);
        }
    }
}

/// <summary>Validates <see cref="ClusterMembershipOptions"/>; each failure names the setting.</summary>
public sealed class ClusterMembershipOptionsValidator : IValidateOptions<ClusterMembershipOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(options.ProbePeriod, nameof(options.ProbePeriod));
        Positive(options.ProbeTimeout, nameof(options.ProbeTimeout));
        Positive(options.DeathVoteExpiration, nameof(options.DeathVoteExpiration));
        Positive(options.IAmAlivePeriod, nameof(options.IAmAlivePeriod));
        Positive(options.TableRefreshPeriod, nameof(options.TableRefreshPeriod));
        Positive(options.DefunctSiloExpiration, nameof(options.DefunctSiloExpiration));
        AtLeastOne(options.MissedProbesLimit, nameof(options.MissedProbesLimit));
        AtLeastOne(options.NumProbedSilos, nameof(options.NumProbedSilos));
        AtLeastOne(options.NumVotesForDeathDeclaration, nameof(options.NumVotesForDeathDeclaration));

        // Votes must outlive the time it takes a second voter to reach its own verdict, or no quorum ever forms.
        var verdict = (options.ProbePeriod + options.ProbeTimeout) * Math.Max(1, options.MissedProbesLimit);
        if (options.DeathVoteExpiration > TimeSpan.Zero && options.DeathVoteExpiration <= verdict)
        {
            failures.Add($"{nameof(ClusterMembershipOptions.DeathVoteExpiration)} ({options.DeathVoteExpiration}) must exceed " +
                $"({nameof(ClusterMembershipOptions.ProbePeriod)} + {nameof(ClusterMembershipOptions.ProbeTimeout)}) x {nameof(ClusterMembershipOptions.MissedProbesLimit)} ({verdict}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{nameof(ClusterMembershipOptions)}.{setting} must be positive (was {value}).");
            }
        }

        void AtLeastOne(int value, string setting)
        {
            if (value < 1)
            {
                failures.Add($"{nameof(ClusterMembershipOptions)}.{setting} must be at least 1 (was {value}).");
            }
        }
    }
}
