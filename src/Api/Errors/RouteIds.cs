using System.Globalization;
using System.Text;
using WellWon.Grains.Domain;

namespace WellWon.Api;

/// <summary>Parsing and validating IDs and small inputs at the edge, so a malformed value is a 400, never a 404 or 500.</summary>
public static class RouteIds
{
    /// <summary>Longest emoji path segment, in UTF-16 units (a long ZWJ family sequence fits).</summary>
    public const int MaxEmojiLength = 64;

    /// <summary>A user or channel ID: a UUID in the canonical 8-4-4-4-12 hex form, not all zeros.</summary>
    public static bool TryParseUuid(string? text, out Guid id) =>
        Guid.TryParseExact(text, "D", out id) && id != Guid.Empty;

    /// <summary>A message ID: the canonical decimal Snowflake.</summary>
    public static bool TryParseMessageId(string? text, out long id)
    {
        id = 0;
        return text is not null && Snowflake.TryParse(text, out id);
    }

    /// <summary>
    /// An emoji path segment: 1..64 UTF-16 units, no whitespace, controls, '/', '%', '?' or '#'; either Unicode
    /// emoji/symbols or a custom emoji name of [A-Za-z0-9_:] (e.g. <c>party_parrot</c>).
    /// </summary>
    public static bool IsValidEmoji(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxEmojiLength || !text.IsNormalized(NormalizationForm.FormC))
        {
            return false;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || rune.Value is '/' or '\\' or '%' or '?' or '#' or '"' or '<' or '>' or 0xFFFD)
            {
                return false;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var allowed = rune.IsAscii
                ? char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '_' or ':' or '-' or '+'
                : category is UnicodeCategory.OtherSymbol or UnicodeCategory.MathSymbol or UnicodeCategory.ModifierSymbol
                    or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                    or UnicodeCategory.OtherLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter
                    or UnicodeCategory.OtherNumber or UnicodeCategory.DecimalDigitNumber;
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Collects field -> messages for a validation problem.</summary>
internal sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public Errors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public Errors Merge(ValidationErrors errors)
    {
        foreach (var (field, messages) in errors.ToDictionary())
        {
            foreach (var message in messages)
            {
                Add(field, message);
            }
        }

        return this;
    }

    public Guid Uuid(string field, string? text)
    {
        if (RouteIds.TryParseUuid(text, out var id))
        {
            return id;
        }

        Add(field, text is null ? "Required." : "Must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
        return Guid.Empty;
    }

    public long MessageId(string field, string? text)
    {
        if (RouteIds.TryParseMessageId(text, out var id))
        {
            return id;
        }

        Add(field, text is null ? "Required." : "Must be a message ID (a decimal Snowflake string).");
        return 0;
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
