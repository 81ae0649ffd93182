using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using WellWon.Grains.Domain;

namespace WellWon.Api;

/// <summary>
/// Writes a 64-bit Snowflake ID as a JSON string (JavaScript numbers lose precision past 2^53) and reads the canonical
/// decimal string (see <see cref="Snowflake.TryParse"/>); a number or any other spelling is a JSON error (400).
/// </summary>
public sealed class SnowflakeIdConverter : JsonConverter<long>
{
    /// <inheritdoc />
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A message ID must be a string of decimal digits.");
        }

        var text = reader.GetString();
        return text is not null && Snowflake.TryParse(text, out var id) ? id : throw new JsonException("A message ID must be a string of decimal digits.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> buffer = stackalloc byte[20];
        value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}

/// <summary>The nullable form of <see cref="SnowflakeIdConverter"/>.</summary>
public sealed class NullableSnowflakeIdConverter : JsonConverter<long?>
{
    private static readonly SnowflakeIdConverter _inner = new();

    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : _inner.Read(ref reader, typeof(long), options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } id)
        {
            _inner.Write(writer, id, options);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Writes times as ISO-8601 UTC with millisecond precision and a <c>Z</c> suffix (<c>2026-01-01T12:00:00.000Z</c>).</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}
