namespace WellWon.Grains.Domain;

/// <summary>
/// Field -> messages collected while validating input, shaped like the <c>errors</c> map of an RFC 9457 validation
/// problem. Empty means valid.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>True when no error was added.</summary>
    public bool IsValid => _errors.Count == 0;

    /// <summary>Adds a message for a field.</summary>
    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
        return this;
    }

    /// <summary>Adds every message of another result.</summary>
    public ValidationErrors Merge(ValidationErrors other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (field, messages) in other._errors)
        {
            foreach (var message in messages)
            {
                Add(field, message);
            }
        }

        return this;
    }

    /// <summary>A copy of the errors, field -> messages.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>
/// Input limits of the public API (shared/API.md). Lengths count Unicode code points (as PostgreSQL's varchar does),
/// so an emoji is one character and a client never meets a limit that differs between the API and the database.
/// </summary>
public static class ChatValidation
{
    /// <summary>Longest message content, after trimming.</summary>
    public const int MaxContentLength = 4000;

    /// <summary>Longest channel name.</summary>
    public const int MaxChannelNameLength = 100;

    /// <summary>Shortest username.</summary>
    public const int MinUsernameLength = 3;

    /// <summary>Longest username.</summary>
    public const int MaxUsernameLength = 32;

    /// <summary>Shortest password.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>Longest password.</summary>
    public const int MaxPasswordLength = 128;

    /// <summary>Smallest page size.</summary>
    public const int MinLimit = 1;

    /// <summary>Largest page size.</summary>
    public const int MaxLimit = 100;

    /// <summary>Page size when the client gives none.</summary>
    public const int DefaultLimit = 50;

    /// <summary>
    /// Longest send nonce. API.md sets no limit; Discord's is 25, this allows a UUID or ULID with room to spare while
    /// keeping the (channel, author, nonce) key small.
    /// </summary>
    public const int MaxNonceLength = 64;

    /// <summary>
    /// The content as it is stored: trimmed. Validate with <see cref="ValidateContent"/> first.
    /// </summary>
    public static string NormalizeContent(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Trim();
    }

    /// <summary>Message content: 1..4000 characters after trimming, not blank.</summary>
    public static ValidationErrors ValidateContent(string? content, string field = "content")
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(content))
        {
            return errors.Add(field, "Content must not be empty or blank.");
        }

        if (CountCharacters(content.Trim()) > MaxContentLength)
        {
            errors.Add(field, $"Content must be at most {MaxContentLength} characters.");
        }

        return errors;
    }

    /// <summary>Channel name: 1..100 characters, not blank.</summary>
    public static ValidationErrors ValidateChannelName(string? name, string field = "name")
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(name))
        {
            return errors.Add(field, "Name must not be empty or blank.");
        }

        if (CountCharacters(name) > MaxChannelNameLength)
        {
            errors.Add(field, $"Name must be at most {MaxChannelNameLength} characters.");
        }

        return errors;
    }

    /// <summary>Username: 3..32 characters of [a-z0-9_.-].</summary>
    public static ValidationErrors ValidateUsername(string? username, string field = "username")
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(username))
        {
            return errors.Add(field, "Username is required.");
        }

        if (username.Length is < MinUsernameLength or > MaxUsernameLength)
        {
            errors.Add(field, $"Username must be {MinUsernameLength} to {MaxUsernameLength} characters.");
        }

        if (!username.All(IsUsernameChar))
        {
            errors.Add(field, "Username may contain only a-z, 0-9, '_', '.' and '-'.");
        }

        return errors;
    }

    /// <summary>Password: 8..128 characters.</summary>
    public static ValidationErrors ValidatePassword(string? password, string field = "password")
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(password))
        {
            return errors.Add(field, "Password is required.");
        }

        var length = CountCharacters(password);
        if (length is < MinPasswordLength or > MaxPasswordLength)
        {
            errors.Add(field, $"Password must be {MinPasswordLength} to {MaxPasswordLength} characters.");
        }

        return errors;
    }

    /// <summary>
    /// A <c>limit</c> query parameter: 1..100, <see cref="DefaultLimit"/> when absent. <paramref name="effective"/>
    /// is the page size to use when valid.
    /// </summary>
    public static ValidationErrors ValidateLimit(int? limit, out int effective, string field = "limit")
    {
        var errors = new ValidationErrors();
        effective = limit ?? DefaultLimit;
        if (effective is < MinLimit or > MaxLimit)
        {
            errors.Add(field, $"Limit must be between {MinLimit} and {MaxLimit}.");
            effective = DefaultLimit;
        }

        return errors;
    }

    /// <summary>Send nonce: absent, or 1..64 printable ASCII characters (it is an opaque key, compared exactly).</summary>
    public static ValidationErrors ValidateNonce(string? nonce, string field = "nonce")
    {
        var errors = new ValidationErrors();
        if (nonce is null)
        {
            return errors;
        }

        if (nonce.Length is 0 or > MaxNonceLength || !nonce.All(c => c is >= '!' and <= '~'))
        {
            errors.Add(field, $"Nonce must be 1 to {MaxNonceLength} printable ASCII characters without spaces.");
        }

        return errors;
    }

    /// <summary>Counts Unicode code points; a lone surrogate counts as one.</summary>
    public static int CountCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static bool IsUsernameChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '-';
}
