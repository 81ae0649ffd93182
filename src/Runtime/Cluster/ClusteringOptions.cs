using System.Net;
using Microsoft.Extensions.Options;
using WellWon.Runtime.Membership;
using WellWon.Runtime.Transport;

namespace WellWon.Runtime.Configuration;

/// <summary>How a silo joins a cluster (binds to "WellWon:Cluster").</summary>
public sealed class ClusteringOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WellWon:Cluster";

    /// <summary>Default of <see cref="MaxForwardCount"/>.</summary>
    public const int DefaultMaxForwardCount = 2;

    /// <summary>Address other silos and clients use to reach this silo.</summary>
    public string AdvertisedHost { get; set; } = IPAddress.Loopback.ToString();

    /// <summary>Port for silo-to-silo and client traffic; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>How many times a request that reached a non-owner may be forwarded before it is rejected back to the caller.</summary>
    public int MaxForwardCount { get; set; } = DefaultMaxForwardCount;

    /// <summary>Failure detection timings.</summary>
    public ClusterMembershipOptions Membership { get; set; } = new();

    /// <summary>Connection settings (the cluster ID comes from <see cref="SiloOptions.ClusterId"/>).</summary>
    public TransportOptions Transport { get; set; } = new();
}

/// <summary>Validates <see cref="ClusteringOptions"/>, naming the setting.</summary>
public sealed class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClusteringOptions options)
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(options.AdvertisedHost, out _))
        {
            errors.Add($"{ClusteringOptions.SectionName}:{nameof(ClusteringOptions.AdvertisedHost)} must be an IP address (was '{options.AdvertisedHost}').");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{ClusteringOptions.SectionName}:{nameof(ClusteringOptions.Port)} must be 0..65535 (was {options.Port}).");
        }

        if (options.MaxForwardCount is < 0 or > 8)
        {
            errors.Add($"{ClusteringOptions.SectionName}:{nameof(ClusteringOptions.MaxForwardCount)} must be 0..8 (was {options.MaxForwardCount}).");
        }

        var membership = new ClusterMembershipOptionsValidator().Validate(name, options.Membership);
        if (membership.Failed)
        {
            errors.AddRange(membership.Failures);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
