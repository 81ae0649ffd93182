using Microsoft.AspNetCore.Identity;

namespace WellWon.Api;

/// <summary>
/// Password hashing with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (format v3: PBKDF2 with
/// HMAC-SHA512, 100,000 iterations, 128-bit random salt, versioned header, constant-time compare).
/// </summary>
public sealed class Passwords
{
    private static readonly Account _account = new();
    private readonly PasswordHasher<Account> _hasher = new();

    // A real hash of a random password: verifying against it when the user does not exist costs the same as a
    // real check, so login timing does not tell whether a username is registered.
    private readonly Lazy<string> _decoy;

    /// <summary>Creates the hasher.</summary>
    public Passwords()
    {
        _decoy = new Lazy<string>(() => Hash(Guid.NewGuid().ToString("N")));
    }

    /// <summary>Hashes a password for storage.</summary>
    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return _hasher.HashPassword(_account, password);
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="hash"/>; a null hash (unknown user) still costs one verification.</summary>
    public bool Verify(string? hash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (string.IsNullOrEmpty(hash))
        {
            _hasher.VerifyHashedPassword(_account, _decoy.Value, password);
            return false;
        }

        try
        {
            return _hasher.VerifyHashedPassword(_account, hash, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private sealed class Account;
}
