using Microsoft.Extensions.Options;

namespace WellWon.Api.Gateway;

/// <summary>Gateway settings (section <c>WellWon:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Gateway";

    /// <summary>How often clients send a heartbeat; a session silent for two intervals is closed (4009).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a new connection may take to send identify or resume (else 4003).</summary>
    public TimeSpan IdentifyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a dropped session can be resumed; it keeps collecting dispatches meanwhile.</summary>
    public TimeSpan ResumeWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most dispatches a session keeps for replay; a resume from further back gets invalid_session.</summary>
    public int ReplayLimit { get; set; } = 2048;

    /// <summary>Unsent dispatches at which a connected session is closed as too slow (4010); it may resume.</summary>
    public int SendQueueLimit { get; set; } = 512;

    /// <summary>Unsent dispatches above which TYPING_START and PRESENCE_UPDATE are shed for that session.</summary>
    public int ShedThreshold { get; set; } = 32;

    /// <summary>A single send that takes longer than this aborts the connection (the client stopped reading).</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the node renews its channel subscriptions and user registrations (keep well under 5 min).</summary>
    public TimeSpan RenewalInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// PRESENCE_UPDATE is not fanned out through a channel with more local members than this (default 250): in a large
    /// channel every connect would otherwise reach everyone, N^2 dispatches for N members (Discord restricts presence in
    /// large guilds the same way). Clients read the presence of the people they show with GET /api/users/{id}/presence.
    /// </summary>
    public int PresenceMaxChannelMembers { get; set; } = 250;

    /// <summary>
    /// Most sessions one user may hold on a node (default 32). At the limit a new identify ends the user's oldest session
    /// that has no connection; if all are connected it is refused (4008).
    /// </summary>
    public int MaxSessionsPerUser { get; set; } = 32;

    /// <summary>Largest client frame, in bytes (identify, resume and heartbeat are tiny).</summary>
    public int MaxClientFrameBytes { get; set; } = 4096;
}

/// <summary>Validates <see cref="GatewayOptions"/>, naming the setting that is wrong.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var s = GatewayOptions.SectionName;
        var failures = new List<string>();
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || options.HeartbeatInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{s}:HeartbeatInterval must be between 100 ms and 10 min (was {options.HeartbeatInterval}).");
        }

        if (options.IdentifyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{s}:IdentifyTimeout must be positive (was {options.IdentifyTimeout}).");
        }

        if (options.ResumeWindow < TimeSpan.Zero)
        {
            failures.Add($"{s}:ResumeWindow must not be negative (was {options.ResumeWindow}).");
        }

        if (options.ReplayLimit < 1)
        {
            failures.Add($"{s}:ReplayLimit must be positive (was {options.ReplayLimit}).");
        }

        if (options.SendQueueLimit < 1 || options.SendQueueLimit > options.ReplayLimit)
        {
            failures.Add($"{s}:SendQueueLimit must be between 1 and ReplayLimit (was {options.SendQueueLimit}).");
        }

        if (options.ShedThreshold < 0 || options.ShedThreshold > options.SendQueueLimit)
        {
            failures.Add($"{s}:ShedThreshold must be between 0 and SendQueueLimit (was {options.ShedThreshold}).");
        }

        if (options.SendTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{s}:SendTimeout must be positive (was {options.SendTimeout}).");
        }

        if (options.RenewalInterval <= TimeSpan.Zero)
        {
            failures.Add($"{s}:RenewalInterval must be positive (was {options.RenewalInterval}).");
        }

        if (options.PresenceMaxChannelMembers < 0)
        {
            failures.Add($"{s}:PresenceMaxChannelMembers must not be negative (was {options.PresenceMaxChannelMembers}).");
        }

        if (options.MaxSessionsPerUser < 1)
        {
            failures.Add($"{s}:MaxSessionsPerUser must be positive (was {options.MaxSessionsPerUser}).");
        }

        if (options.MaxClientFrameBytes < 256)
        {
            failures.Add($"{s}:MaxClientFrameBytes must be at least 256 (was {options.MaxClientFrameBytes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
