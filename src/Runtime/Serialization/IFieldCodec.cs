namespace WellWon.Runtime.Serialization;

/// <summary>
/// Writes and reads one type as a field. <see cref="WriteField"/> writes the header and the value;
/// <see cref="ReadValue"/> is called after the header has been read and reads the value only.
/// </summary>
public interface IFieldCodec<T>
{
    /// <summary>Writes <paramref name="value"/> as field <paramref name="fieldId"/> (header included; null as <see cref="WireType.Null"/>).</summary>
    void WriteField(ref Writer writer, uint fieldId, T value);

    /// <summary>Reads a value whose header carried <paramref name="wireType"/>.</summary>
    T ReadValue(ref Reader reader, WireType wireType);
}

/// <summary>Fast access to the codec of <typeparamref name="T"/>; resolved once through <see cref="CodecRegistry"/>.</summary>
public static class Codec<T>
{
    private static IFieldCodec<T>? s_instance;

    /// <summary>The codec for <typeparamref name="T"/>; throws <see cref="CodecNotFoundException"/> if there is none.</summary>
    public static IFieldCodec<T> Instance => s_instance ??= CodecRegistry.Resolve<T>();

    /// <summary>Drops the cached codec (used when registrations change in tests).</summary>
    internal static void Reset() => s_instance = null;
}

/// <summary>No codec is known for a type: mark it [GenerateSerializer] with [Id] members, or use a supported type.</summary>
public sealed class CodecNotFoundException(Type type)
    : Exception($"No codec for type '{type}'. Mark it [GenerateSerializer] and give its members [Id(n)], or use a built-in type.")
{
    /// <summary>The type without a codec.</summary>
    public Type Type { get; } = type;
}
