using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Entry points for whole payloads. A root payload is exactly one field with ID 0 holding the value (written by
/// the value's codec) and nothing after it; null is the single header byte <c>0x06</c> (field 0, Null).
/// </summary>
public static class Serializer
{
    /// <summary>Serializes <paramref name="value"/> as a root payload.</summary>
    public static byte[] Serialize<T>(T value)
    {
        using var buffer = new PooledBufferWriter();
        Serialize(value, buffer);
        return buffer.ToArray();
    }

    /// <summary>Appends <paramref name="value"/> as a root payload to <paramref name="output"/>.</summary>
    public static void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new Writer(output);
        Codec<T>.Instance.WriteField(ref writer, 0, value);
        writer.Commit();
    }

    /// <summary>Reads a root payload; throws <see cref="WireFormatException"/> when it is malformed or has trailing bytes.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> payload)
    {
        var reader = new Reader(payload);
        var header = reader.ReadFieldHeader();
        if (header.FieldId != 0 || header.WireType == WireType.EndObject)
        {
            throw new WireFormatException($"A root payload starts with field 0, not field {header.FieldId} ({header.WireType}).");
        }

        var value = Codec<T>.Instance.ReadValue(ref reader, header.WireType);
        if (!reader.IsAtEnd)
        {
            throw new WireFormatException($"Unexpected bytes after the root field at offset {reader.Position}.");
        }

        return value;
    }

    /// <summary>
    /// An independent copy of <paramref name="value"/> (serialized and read back through a pooled buffer), so a
    /// callee cannot observe later mutations by its caller or vice versa. Immutable types are returned as they are.
    /// </summary>
    public static T DeepCopy<T>(T value)
    {
        if (ShallowCopy<T>.IsSafe || value is null)
        {
            return value;
        }

        using var buffer = new PooledBufferWriter();
        Serialize(value, buffer);
        return Deserialize<T>(buffer.WrittenSpan);
    }

    /// <summary>Whether values of <typeparamref name="T"/> never need copying (see docs/codegen.md, "Immutability").</summary>
    private static class ShallowCopy<T>
    {
        public static readonly bool IsSafe = IsImmutable(typeof(T));
    }

    private static readonly ConcurrentDictionary<Type, bool> s_immutable = new();

    internal static bool IsImmutable(Type type) => s_immutable.GetOrAdd(type, static t =>
        t.IsPrimitive || t.IsEnum
        || t == typeof(decimal) || t == typeof(string) || t == typeof(Guid) || t == typeof(DateTime)
        || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(DateOnly) || t == typeof(TimeOnly)
        || t == typeof(Uri) || t == typeof(Version) || t == typeof(Invocation.VoidResult)
        || (Nullable.GetUnderlyingType(t) is { } underlying && IsImmutable(underlying))
        || (t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
        || typeof(Invocation.GrainReference).IsAssignableFrom(t)
        || t.IsDefined(typeof(ImmutableAttribute), inherit: false));
}
