using System.Text;

namespace WellWon.Grains.Interfaces;

/// <summary>
/// Base of the typed failures chat grains throw. They cross the grain boundary with their type and message (the runtime
/// rebuilds them through their (string) constructor), so the API maps them to statuses by type, never by text:
/// <see cref="ChatValidationException"/> 400, <see cref="ChatForbiddenException"/> 403,
/// <see cref="ChatNotFoundException"/> 404, <see cref="ChatConflictException"/> 409.
/// </summary>
public abstract class ChatException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ChatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    protected ChatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The target is unknown or not visible to the caller (a non-member asking about a channel, a message outside the
/// caller's visibility windows, an unknown user): HTTP 404.
/// </summary>
public sealed class ChatNotFoundException : ChatException
{
    /// <summary>Creates the exception.</summary>
    public ChatNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChatNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The caller may see the target but lacks the right (edit someone else's message, add to a group as a member): HTTP 403.</summary>
public sealed class ChatForbiddenException : ChatException
{
    /// <summary>Creates the exception.</summary>
    public ChatForbiddenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChatForbiddenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The request conflicts with the current state (e.g. a channel ID that exists with another type): HTTP 409.</summary>
public sealed class ChatConflictException : ChatException
{
    /// <summary>Creates the exception.</summary>
    public ChatConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChatConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Invalid input: HTTP 400 with <see cref="Errors"/> as the problem's <c>errors</c> map (field -> messages).
/// </summary>
/// <remarks>
/// Only the message crosses the grain boundary, so the field errors are encoded in it, one per line after a title
/// line: <c>"{field}: {message}"</c>. <see cref="Errors"/> parses them back, so the map survives any hop.
/// </remarks>
public sealed class ChatValidationException : ChatException
{
    /// <summary>The first line of every validation message.</summary>
    public const string Title = "One or more validation errors occurred.";

    private IReadOnlyDictionary<string, string[]>? _errors;

    /// <summary>Rebuilds the exception from its message (the runtime uses this after a hop).</summary>
    public ChatValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Rebuilds the exception from its message.</summary>
    public ChatValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from field -> messages.</summary>
    public ChatValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Encode(errors))
    {
        _errors = errors;
    }

    /// <summary>Creates the exception for one field.</summary>
    public static ChatValidationException For(string field, string message) =>
        new(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>Field -> messages (the RFC 9457 <c>errors</c> map).</summary>
    public IReadOnlyDictionary<string, string[]> Errors => _errors ??= Decode(Message);

    private static string Encode(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = new StringBuilder(Title);
        foreach (var (field, messages) in errors)
        {
            foreach (var message in messages)
            {
                text.Append('\n').Append(OneLine(field)).Append(": ").Append(OneLine(message));
            }
        }

        return text.ToString();
    }

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ');

    private static Dictionary<string, string[]> Decode(string message)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var lines = message.Split('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            var separator = lines[i].IndexOf(": ", StringComparison.Ordinal);
            var (field, text) = separator < 0 ? (string.Empty, lines[i]) : (lines[i][..separator], lines[i][(separator + 2)..]);
            if (!result.TryGetValue(field, out var list))
            {
                result[field] = list = [];
            }

            list.Add(text);
        }

        return result.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
