using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Transports exceptions. Layout (an object): field 0 the assembly-qualified type name, field 1 the message,
/// field 2 the stack trace text (absent when none), field 3 the inner exception (same layout, at most
/// <see cref="MaxInnerDepth"/> levels), field 4 <see cref="ArgumentException.ParamName"/> (argument exceptions only).
/// </summary>
/// <remarks>
/// Reading recreates the original type when it loads, derives from <see cref="Exception"/> and has a public
/// (string) or (string, Exception) constructor; otherwise it produces a <see cref="RemoteException"/>. The remote
/// stack trace becomes part of <see cref="Exception.StackTrace"/> (and <see cref="RemoteException.RemoteStackTrace"/>).
/// HResult, Data and type-specific properties other than ParamName do not travel.
/// </remarks>
public sealed class ExceptionCodec : IFieldCodec<Exception>
{
    /// <summary>Inner exceptions nested deeper than this are not written.</summary>
    public const int MaxInnerDepth = 16;

    private const uint TypeField = 0;
    private const uint MessageField = 1;
    private const uint StackTraceField = 2;
    private const uint InnerField = 3;
    private const uint ParamNameField = 4;

    private static readonly Type[] s_messageSignature = [typeof(string)];
    private static readonly Type[] s_messageInnerSignature = [typeof(string), typeof(Exception)];
    private static readonly Type[] s_twoStringsSignature = [typeof(string), typeof(string)];
    private static readonly Type[] s_twoStringsInnerSignature = [typeof(string), typeof(string), typeof(Exception)];

    // Only types that resolved are cached, so names sent by a peer cannot grow these without bound.
    private static readonly ConcurrentDictionary<string, Type> s_types = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, Constructors> s_constructors = new();

    private ExceptionCodec()
    {
    }

    /// <summary>The codec instance (also what <see cref="Codec{T}"/> of <see cref="Exception"/> resolves to).</summary>
    public static ExceptionCodec Instance { get; } = new();

    /// <summary>Serializes <paramref name="exception"/> as a root payload (one field 0).</summary>
    public static byte[] Serialize(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        using var buffer = new PooledBufferWriter();
        var writer = new Writer(buffer);
        Instance.WriteField(ref writer, 0, exception);
        writer.Commit();
        return buffer.ToArray();
    }

    /// <summary>Reads an exception written by <see cref="Serialize"/>; throws <see cref="WireFormatException"/> on malformed input.</summary>
    public static Exception Deserialize(ReadOnlySpan<byte> payload)
    {
        var reader = new Reader(payload);
        var header = reader.ReadFieldHeader();
        if (header.FieldId != 0 || header.WireType != WireType.StartObject)
        {
            throw new WireFormatException("An exception payload must be a single non-null field 0.");
        }

        var exception = Instance.ReadValue(ref reader, header.WireType);
        if (!reader.IsAtEnd)
        {
            throw new WireFormatException("Unexpected bytes after the exception.");
        }

        return exception;
    }

    /// <inheritdoc/>
    public void WriteField(ref Writer writer, uint fieldId, Exception value) => Write(ref writer, fieldId, value, 0);

    /// <inheritdoc/>
    public Exception ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }

        Reader.Expect(wireType, WireType.StartObject);
        reader.EnterObject();
        string? typeName = null, message = null, stackTrace = null, paramName = null;
        Exception? inner = null;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case TypeField:
                    typeName = WireRead.NullableString(ref reader, header.WireType);
                    break;
                case MessageField:
                    message = WireRead.NullableString(ref reader, header.WireType);
                    break;
                case StackTraceField:
                    stackTrace = WireRead.NullableString(ref reader, header.WireType);
                    break;
                case InnerField:
                    // Recursion is bounded by the reader's nesting limit.
                    inner = ReadValue(ref reader, header.WireType);
                    break;
                case ParamNameField:
                    paramName = WireRead.NullableString(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return Create(typeName ?? string.Empty, message ?? string.Empty, stackTrace, inner, paramName);
    }

    private static void Write(ref Writer writer, uint fieldId, Exception? value, int depth)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        var typeName = value is RemoteException remote ? remote.OriginalTypeName : value.GetType().AssemblyQualifiedName;
        writer.WriteFieldHeader(TypeField, WireType.LengthPrefixed);
        writer.WriteString(typeName ?? value.GetType().FullName ?? value.GetType().Name);
        writer.WriteFieldHeader(MessageField, WireType.LengthPrefixed);
        writer.WriteString(value.Message ?? string.Empty);
        if (value.StackTrace is { } stackTrace)
        {
            writer.WriteFieldHeader(StackTraceField, WireType.LengthPrefixed);
            writer.WriteString(stackTrace);
        }

        if (value.InnerException is { } inner && depth < MaxInnerDepth)
        {
            Write(ref writer, InnerField, inner, depth + 1);
        }

        if (value is ArgumentException { ParamName: { } paramName })
        {
            writer.WriteFieldHeader(ParamNameField, WireType.LengthPrefixed);
            writer.WriteString(paramName);
        }

        writer.WriteEndObject();
    }

    private static Exception Create(string typeName, string message, string? stackTrace, Exception? inner, string? paramName)
    {
        var exception = ResolveType(typeName) is { } type ? TryConstruct(type, message, inner, paramName) : null;
        exception ??= new RemoteException(typeName, message, stackTrace, inner);
        if (stackTrace is not null)
        {
            // Makes the remote frames show up in StackTrace, followed by the local ones once it is rethrown.
            ExceptionDispatchInfo.SetRemoteStackTrace(exception, stackTrace);
        }

        return exception;
    }

    private static Type? ResolveType(string typeName)
    {
        if (typeName.Length == 0)
        {
            return null;
        }

        if (s_types.TryGetValue(typeName, out var cached))
        {
            return cached;
        }

        Type? type;
        try
        {
            type = Type.GetType(typeName, throwOnError: false);
        }
        catch (Exception e) when (e is ArgumentException or IOException or BadImageFormatException or TypeLoadException)
        {
            // A malformed name or an assembly that exists but cannot load: treat as unknown.
            return null;
        }

        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract || type.ContainsGenericParameters)
        {
            return null;
        }

        s_types.TryAdd(typeName, type);
        return type;
    }

    private static Exception? TryConstruct(Type type, string message, Exception? inner, string? paramName)
    {
        var ctors = s_constructors.GetOrAdd(type, static t => new Constructors(t));
        var argumentMessage = paramName is null ? message : StripParamNameSuffix(message, paramName);

        // Constructors are invoked through reflection, but only on this exceptional path and with cached lookups.
        if (paramName is not null && inner is not null && ctors.MessageParamNameInner is { } withAll)
        {
            if (Invoke(withAll, argumentMessage, paramName, inner) is { } e)
            {
                return e;
            }
        }

        if (inner is not null && ctors.MessageInner is { } messageInner)
        {
            if (Invoke(messageInner, message, inner) is { } e)
            {
                return e;
            }
        }

        if (paramName is not null && ctors.TwoStrings is { } twoStrings)
        {
            var e = ctors.ParamNameFirst ? Invoke(twoStrings, paramName, argumentMessage) : Invoke(twoStrings, argumentMessage, paramName);
            if (e is not null)
            {
                return e;
            }
        }

        if (ctors.Message is { } messageOnly && Invoke(messageOnly, message) is { } m)
        {
            return m;
        }

        return ctors.MessageInner is { } fallback ? Invoke(fallback, message, null) : null;
    }

    private static Exception? Invoke(ConstructorInfo constructor, params object?[] arguments)
    {
        try
        {
            return (Exception)constructor.Invoke(arguments);
        }
        catch (TargetInvocationException)
        {
            // The constructor rejected the values (e.g. validates its message): try another or fall back.
            return null;
        }
    }

    // ArgumentException appends " (Parameter 'x')" to Message; the constructor adds it again, so strip it first.
    private static string StripParamNameSuffix(string message, string paramName)
    {
        var suffix = new ArgumentException(string.Empty, paramName).Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    private sealed class Constructors
    {
        public Constructors(Type type)
        {
            Message = type.GetConstructor(s_messageSignature);
            MessageInner = type.GetConstructor(s_messageInnerSignature);
            if (!typeof(ArgumentException).IsAssignableFrom(type))
            {
                return;
            }

            // Argument exceptions disagree on the order of (message, paramName): go by the parameter names.
            if (type.GetConstructor(s_twoStringsSignature) is { } twoStrings)
            {
                var parameters = twoStrings.GetParameters();
                if (parameters[0].Name == "paramName" || parameters[1].Name == "paramName")
                {
                    TwoStrings = twoStrings;
                    ParamNameFirst = parameters[0].Name == "paramName";
                }
            }

            if (type.GetConstructor(s_twoStringsInnerSignature) is { } all && all.GetParameters()[1].Name == "paramName")
            {
                MessageParamNameInner = all;
            }
        }

        public ConstructorInfo? Message { get; }

        public ConstructorInfo? MessageInner { get; }

        public ConstructorInfo? TwoStrings { get; }

        public bool ParamNameFirst { get; }

        public ConstructorInfo? MessageParamNameInner { get; }
    }
}

/// <summary>Exception-typed fields other than <see cref="Exception"/> itself: the same layout, checked on read.</summary>
internal sealed class DerivedExceptionCodec<T> : IFieldCodec<T>
    where T : Exception
{
    public void WriteField(ref Writer writer, uint fieldId, T value) => ExceptionCodec.Instance.WriteField(ref writer, fieldId, value);

    public T ReadValue(ref Reader reader, WireType wireType) => ExceptionCodec.Instance.ReadValue(ref reader, wireType) switch
    {
        null => null!,
        T typed => typed,
        var other => throw new WireFormatException($"Expected an exception of type {typeof(T)} but read {other.GetType()}."),
    };
}
