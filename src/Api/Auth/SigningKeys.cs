using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;

namespace WellWon.Api;

/// <summary>Decoding and locating the token signing key.</summary>
internal static class SigningKeys
{
    /// <summary>Decodes a base64 key of at least <see cref="AuthOptions.MinSigningKeyBytes"/> bytes.</summary>
    public static bool TryDecode(string text, out byte[] key)
    {
        key = [];
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return key.Length >= AuthOptions.MinSigningKeyBytes;
    }

    /// <summary>Expands a leading <c>~/</c> to the user's home directory.</summary>
    public static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, path.Length > 2 ? path[2..] : "");
        }

        return path;
    }
}

/// <summary>
/// The HMAC key that signs bearer tokens: <c>WellWon:Auth:SigningKey</c> when set; otherwise, in Development only, a
/// random key generated once and kept in a 0600 file outside the repository (default ~/.wellwon/dev-signing-key).
/// </summary>
internal sealed partial class SigningKeyProvider
{
    private readonly Lazy<byte[]> _key;

    public SigningKeyProvider(IOptions<AuthOptions> options, IHostEnvironment environment, ILogger<SigningKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        _key = new Lazy<byte[]>(() => Resolve(settings, environment, logger), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public byte[] Key => _key.Value;

    private static byte[] Resolve(AuthOptions settings, IHostEnvironment environment, ILogger logger)
    {
        if (settings.SigningKey is not null)
        {
            return SigningKeys.TryDecode(settings.SigningKey, out var configured)
                ? configured
                : throw new InvalidOperationException($"{AuthOptions.SectionName}:SigningKey must be base64 of at least {AuthOptions.MinSigningKeyBytes} bytes.");
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{AuthOptions.SectionName}:SigningKey is required outside Development (base64 of at least {AuthOptions.MinSigningKeyBytes} random bytes, shared by every API replica).");
        }

        var path = SigningKeys.ExpandHome(settings.DevelopmentKeyPath);
        if (File.Exists(path) && SigningKeys.TryDecode(File.ReadAllText(path), out var existing))
        {
            LogUsingDevelopmentKey(logger, path);
            return existing;
        }

        var key = RandomNumberGenerator.GetBytes(AuthOptions.MinSigningKeyBytes * 2);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        LogGeneratedDevelopmentKey(logger, path);
        return key;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No WellWon:Auth:SigningKey configured: generated a development signing key in {Path} (mode 0600). Never use it in production.")]
    private static partial void LogGeneratedDevelopmentKey(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "No WellWon:Auth:SigningKey configured: using the development signing key in {Path}.")]
    private static partial void LogUsingDevelopmentKey(ILogger logger, string path);
}
