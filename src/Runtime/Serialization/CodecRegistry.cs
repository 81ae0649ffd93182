namespace WellWon.Runtime.Serialization;

/// <summary>
/// Finds the codec of a type: registered (generated) codecs, built-in codecs for primitives and collections,
/// generic codecs closed on demand, and grain references. Process-wide.
/// </summary>
public static class CodecRegistry
{
    /// <summary>Registers a codec for a closed type (later registrations of the same type are ignored).</summary>
    public static void Register<T>(IFieldCodec<T> codec) => throw new NotImplementedException("TODO: implement (serialization helper)");

    /// <summary>Registers an open generic codec type for an open generic type.</summary>
    public static void RegisterGeneric(Type typeDefinition, Type codecDefinition) => throw new NotImplementedException("TODO: implement (serialization helper)");

    /// <summary>Resolves the codec of <typeparamref name="T"/>; throws <see cref="CodecNotFoundException"/>.</summary>
    public static IFieldCodec<T> Resolve<T>() => throw new NotImplementedException("TODO: implement (serialization helper)");
}
