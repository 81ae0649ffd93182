using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Finds the codec of a type: registered (generated) codecs, built-in codecs for primitives and collections,
/// generic codecs closed on demand, and grain references. Process-wide and thread-safe.
/// </summary>
/// <remarks>
/// Resolution order: a codec registered for the exact type; a built-in codec; enums; <see cref="Nullable{T}"/>;
/// arrays; a registered open generic codec closed over the type's arguments; built-in generic collections;
/// grain interfaces (<see cref="GrainReferenceCodec{T}"/>); then, once, the type's assembly is registered with
/// <see cref="TypeManifest.EnsureRegistered"/> and the registered codecs are searched again; finally exceptions
/// derived from <see cref="Exception"/> fall back to <see cref="ExceptionCodec"/>. Reflection happens here only:
/// <see cref="Codec{T}.Instance"/> caches the result, and failures are never cached.
/// </remarks>
public static class CodecRegistry
{
    private static readonly ConcurrentDictionary<Type, object> s_registered = new();
    private static readonly ConcurrentDictionary<Type, Type> s_genericDefinitions = new();
    private static readonly ConcurrentDictionary<Type, object> s_closedGenerics = new();

    private static readonly FrozenDictionary<Type, object> s_builtIns = new Dictionary<Type, object>
    {
        [typeof(bool)] = new BooleanCodec(),
        [typeof(byte)] = new ByteCodec(),
        [typeof(sbyte)] = new SByteCodec(),
        [typeof(short)] = new Int16Codec(),
        [typeof(ushort)] = new UInt16Codec(),
        [typeof(int)] = new Int32Codec(),
        [typeof(uint)] = new UInt32Codec(),
        [typeof(long)] = new Int64Codec(),
        [typeof(ulong)] = new UInt64Codec(),
        [typeof(char)] = new CharCodec(),
        [typeof(float)] = new SingleCodec(),
        [typeof(double)] = new DoubleCodec(),
        [typeof(decimal)] = new DecimalCodec(),
        [typeof(string)] = new StringCodec(),
        [typeof(byte[])] = new ByteArrayCodec(),
        [typeof(Guid)] = new GuidCodec(),
        [typeof(DateTime)] = new DateTimeCodec(),
        [typeof(DateTimeOffset)] = new DateTimeOffsetCodec(),
        [typeof(TimeSpan)] = new TimeSpanCodec(),
        [typeof(DateOnly)] = new DateOnlyCodec(),
        [typeof(TimeOnly)] = new TimeOnlyCodec(),
        [typeof(Uri)] = new UriCodec(),
        [typeof(Version)] = new VersionCodec(),
        [typeof(VoidResult)] = new VoidResultCodec(),
        [typeof(Exception)] = ExceptionCodec.Instance,
    }.ToFrozenDictionary();

    // Open generic type -> open codec; interface codecs take the interface itself as their first type argument.
    private static readonly FrozenDictionary<Type, Type> s_builtInGenerics = new Dictionary<Type, Type>
    {
        [typeof(List<>)] = typeof(ListCodec<>),
        [typeof(IList<>)] = typeof(ListInterfaceCodec<,>),
        [typeof(IReadOnlyList<>)] = typeof(ListInterfaceCodec<,>),
        [typeof(ICollection<>)] = typeof(ListInterfaceCodec<,>),
        [typeof(IReadOnlyCollection<>)] = typeof(ListInterfaceCodec<,>),
        [typeof(IEnumerable<>)] = typeof(ListInterfaceCodec<,>),
        [typeof(HashSet<>)] = typeof(HashSetCodec<>),
        [typeof(ISet<>)] = typeof(SetInterfaceCodec<,>),
        [typeof(IReadOnlySet<>)] = typeof(SetInterfaceCodec<,>),
        [typeof(Dictionary<,>)] = typeof(DictionaryCodec<,>),
        [typeof(IDictionary<,>)] = typeof(DictionaryInterfaceCodec<,,>),
        [typeof(IReadOnlyDictionary<,>)] = typeof(DictionaryInterfaceCodec<,,>),
        [typeof(KeyValuePair<,>)] = typeof(KeyValuePairCodec<,>),
        [typeof(ValueTuple<,>)] = typeof(ValueTupleCodec<,>),
        [typeof(ValueTuple<,,>)] = typeof(ValueTupleCodec<,,>),
        [typeof(ValueTuple<,,,>)] = typeof(ValueTupleCodec<,,,>),
        [typeof(ImmutableArray<>)] = typeof(ImmutableArrayCodec<>),
        [typeof(ImmutableList<>)] = typeof(ImmutableListCodec<>),
        [typeof(ImmutableDictionary<,>)] = typeof(ImmutableDictionaryCodec<,>),
    }.ToFrozenDictionary();

    /// <summary>Registers a codec for a closed type (later registrations of the same type are ignored).</summary>
    public static void Register<T>(IFieldCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (s_registered.TryAdd(typeof(T), codec))
        {
            // A built-in codec may already be cached for T; the registered one takes precedence from now on.
            Codec<T>.Reset();
        }
    }

    /// <summary>Registers an open generic codec type for an open generic type.</summary>
    public static void RegisterGeneric(Type typeDefinition, Type codecDefinition)
    {
        ArgumentNullException.ThrowIfNull(typeDefinition);
        ArgumentNullException.ThrowIfNull(codecDefinition);
        if (!typeDefinition.IsGenericTypeDefinition || !codecDefinition.IsGenericTypeDefinition
            || typeDefinition.GetGenericArguments().Length != codecDefinition.GetGenericArguments().Length)
        {
            throw new ArgumentException(
                $"Both '{typeDefinition}' and '{codecDefinition}' must be open generic types of the same arity.", nameof(codecDefinition));
        }

        s_genericDefinitions.TryAdd(typeDefinition, codecDefinition);
    }

    /// <summary>Resolves the codec of <typeparamref name="T"/>; throws <see cref="CodecNotFoundException"/>.</summary>
    public static IFieldCodec<T> Resolve<T>()
    {
        var type = typeof(T);
        var codec = FindExact(type) ?? FindBuiltIn(type);
        if (codec is null)
        {
            // The type's generated codecs may not be registered yet: its assembly has not been touched by the runtime.
            TypeManifest.EnsureRegistered(type.Assembly);
            codec = FindExact(type) ?? FindRegisteredGeneric(type) ?? FindFallback(type);
        }

        return codec as IFieldCodec<T> ?? throw new CodecNotFoundException(type);
    }

    private static object? FindExact(Type type) => s_registered.TryGetValue(type, out var codec) ? codec : null;

    private static object? FindRegisteredGeneric(Type type)
    {
        if (type.IsGenericType && !type.IsGenericTypeDefinition
            && s_genericDefinitions.TryGetValue(type.GetGenericTypeDefinition(), out var definition))
        {
            return s_closedGenerics.GetOrAdd(
                type,
                static (t, d) => Activator.CreateInstance(d.MakeGenericType(t.GetGenericArguments()))!,
                definition);
        }

        return null;
    }

    private static object? FindBuiltIn(Type type)
    {
        if (s_builtIns.TryGetValue(type, out var codec))
        {
            return codec;
        }

        if (type.IsEnum)
        {
            return Create(typeof(EnumCodec<>), type);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Create(typeof(NullableCodec<>), underlying);
        }

        if (type.IsSZArray)
        {
            return Create(typeof(ArrayCodec<>), type.GetElementType()!);
        }

        if (FindRegisteredGeneric(type) is { } registeredGeneric)
        {
            return registeredGeneric;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition
            && s_builtInGenerics.TryGetValue(type.GetGenericTypeDefinition(), out var definition))
        {
            var arguments = type.GetGenericArguments();
            return type.IsInterface ? Create(definition, [type, .. arguments]) : Create(definition, arguments);
        }

        if (type.IsInterface && typeof(IAddressable).IsAssignableFrom(type))
        {
            return Create(typeof(GrainReferenceCodec<>), type);
        }

        return null;
    }

    private static object? FindFallback(Type type) =>
        typeof(Exception).IsAssignableFrom(type) ? Create(typeof(DerivedExceptionCodec<>), type) : null;

    private static object Create(Type definition, params Type[] arguments) =>
        Activator.CreateInstance(definition.MakeGenericType(arguments))!;
}
