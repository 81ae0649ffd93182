using Microsoft.Extensions.Options;

namespace WellWon.Api.Configuration;

/// <summary>Authentication settings (section <c>WellWon:Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Auth";

    /// <summary>Smallest signing key, in bytes (HMAC-SHA256 wants at least the hash size).</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>Default token lifetime: 7 days.</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromDays(7);

    /// <summary>Default path of the development key file, under the user's home directory.</summary>
    public const string DefaultDevelopmentKeyPath = "~/.wellwon/dev-signing-key";

    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes) that signs bearer tokens; every API replica must share it.
    /// When absent in Development a key is generated once into <see cref="DevelopmentKeyPath"/>.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long an issued token is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = DefaultTokenLifetime;

    /// <summary>Where the Development key is kept when <see cref="SigningKey"/> is absent (outside the repository).</summary>
    public string DevelopmentKeyPath { get; set; } = DefaultDevelopmentKeyPath;
}

/// <summary>Validates <see cref="AuthOptions"/>, naming the setting that is wrong.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.SigningKey is not null && !SigningKeys.TryDecode(options.SigningKey, out _))
        {
            failures.Add($"{AuthOptions.SectionName}:SigningKey must be base64 of at least {AuthOptions.MinSigningKeyBytes} bytes.");
        }

        if (options.TokenLifetime <= TimeSpan.Zero || options.TokenLifetime > TimeSpan.FromDays(365))
        {
            failures.Add($"{AuthOptions.SectionName}:TokenLifetime must be positive and at most 365 days (was {options.TokenLifetime}).");
        }

        if (string.IsNullOrWhiteSpace(options.DevelopmentKeyPath))
        {
            failures.Add($"{AuthOptions.SectionName}:DevelopmentKeyPath must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>API host settings (section <c>WellWon:Api</c>).</summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WellWon:Api";

    /// <summary>Default largest request body: 64 KiB (shared/API.md).</summary>
    public const long DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>Default seconds a client is told to wait (Retry-After) when a backing store is unavailable.</summary>
    public const int DefaultUnavailableRetryAfterSeconds = 5;

    /// <summary>Largest request body in bytes; larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>Retry-After, in seconds, on a 503 caused by an unavailable cluster or store.</summary>
    public int UnavailableRetryAfterSeconds { get; set; } = DefaultUnavailableRetryAfterSeconds;

    /// <summary>Per-user request rate limit.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>
/// Per-user token bucket (section <c>WellWon:Api:RateLimit</c>): keyed by the authenticated user, else the client IP.
/// The defaults are generous: they stop a runaway client, not a busy person.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Default bucket size (burst).</summary>
    public const int DefaultTokenLimit = 200;

    /// <summary>Default tokens added per period.</summary>
    public const int DefaultTokensPerPeriod = 100;

    /// <summary>Default replenishment period.</summary>
    public static readonly TimeSpan DefaultReplenishmentPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Default attempts per client IP per <see cref="AuthWindow"/> on /api/auth (register and login).</summary>
    public const int DefaultAuthPermitLimit = 60;

    /// <summary>Default window of <see cref="AuthPermitLimit"/>.</summary>
    public static readonly TimeSpan DefaultAuthWindow = TimeSpan.FromMinutes(1);

    /// <summary>False turns rate limiting off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bucket size: the largest burst a user may send.</summary>
    public int TokenLimit { get; set; } = DefaultTokenLimit;

    /// <summary>Tokens added every <see cref="ReplenishmentPeriod"/>.</summary>
    public int TokensPerPeriod { get; set; } = DefaultTokensPerPeriod;

    /// <summary>How often the bucket is refilled.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; } = DefaultReplenishmentPeriod;

    /// <summary>Register/login attempts per client IP per <see cref="AuthWindow"/> (slows password guessing), on top of the general bucket.</summary>
    public int AuthPermitLimit { get; set; } = DefaultAuthPermitLimit;

    /// <summary>The window of <see cref="AuthPermitLimit"/>.</summary>
    public TimeSpan AuthWindow { get; set; } = DefaultAuthWindow;
}

/// <summary>Validates <see cref="ApiOptions"/>, naming the setting that is wrong.</summary>
internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add($"{ApiOptions.SectionName}:MaxRequestBodyBytes must be at least 1024 (was {options.MaxRequestBodyBytes}).");
        }

        if (options.UnavailableRetryAfterSeconds is < 1 or > 3600)
        {
            failures.Add($"{ApiOptions.SectionName}:UnavailableRetryAfterSeconds must be 1..3600 (was {options.UnavailableRetryAfterSeconds}).");
        }

        var rate = options.RateLimit;
        if (rate.TokenLimit < 1)
        {
            failures.Add($"{ApiOptions.SectionName}:RateLimit:TokenLimit must be at least 1 (was {rate.TokenLimit}).");
        }

        if (rate.TokensPerPeriod < 1)
        {
            failures.Add($"{ApiOptions.SectionName}:RateLimit:TokensPerPeriod must be at least 1 (was {rate.TokensPerPeriod}).");
        }

        if (rate.ReplenishmentPeriod <= TimeSpan.Zero)
        {
            failures.Add($"{ApiOptions.SectionName}:RateLimit:ReplenishmentPeriod must be positive (was {rate.ReplenishmentPeriod}).");
        }

        if (rate.AuthPermitLimit < 1)
        {
            failures.Add($"{ApiOptions.SectionName}:RateLimit:AuthPermitLimit must be at least 1 (was {rate.AuthPermitLimit}).");
        }

        if (rate.AuthWindow <= TimeSpan.Zero)
        {
            failures.Add($"{ApiOptions.SectionName}:RateLimit:AuthWindow must be positive (was {rate.AuthWindow}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
