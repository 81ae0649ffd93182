using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// The runtime that references deserialized on this thread bind to. Set by the runtime around every
/// deserialization (message receive, argument copy) so a reference read by silo A sends its calls through silo A.
/// </summary>
public static class SerializationContext
{
    [ThreadStatic]
    private static IGrainReferenceRuntime? t_referenceRuntime;

    /// <summary>The runtime new references bind to on this thread.</summary>
    public static IGrainReferenceRuntime? ReferenceRuntime
    {
        get => t_referenceRuntime;
        set => t_referenceRuntime = value;
    }

    /// <summary>Sets <see cref="ReferenceRuntime"/> until the returned scope is disposed.</summary>
    public static Scope Use(IGrainReferenceRuntime runtime)
    {
        var previous = t_referenceRuntime;
        t_referenceRuntime = runtime;
        return new Scope(previous);
    }

    /// <summary>Restores the previous runtime.</summary>
    public readonly struct Scope(IGrainReferenceRuntime? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_referenceRuntime = previous;
    }
}

/// <summary>Codec for grain and observer references typed as a grain interface: writes the grain ID and interface.</summary>
public sealed class GrainReferenceCodec<T> : IFieldCodec<T>
    where T : class
{
    /// <inheritdoc/>
    public void WriteField(ref Writer writer, uint fieldId, T value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        if (value is not GrainReference reference)
        {
            throw new InvalidOperationException(
                $"Only grain references can be sent as {typeof(T).Name}; for a local object use IGrainFactory.CreateObjectReference first.");
        }

        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        writer.WriteFieldHeader(0, WireType.LengthPrefixed);
        writer.WriteString(reference.GrainId.Type);
        writer.WriteFieldHeader(1, WireType.LengthPrefixed);
        writer.WriteString(reference.GrainId.Key);
        if (reference.InterfaceType != typeof(T))
        {
            writer.WriteFieldHeader(2, WireType.LengthPrefixed);
            writer.WriteString(TypeManifest.GetInterface(reference.InterfaceType).GrainType);
        }

        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public T ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }

        Reader.Expect(wireType, WireType.StartObject);
        reader.EnterObject();
        string? type = null, key = null, interfaceName = null;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0 when header.WireType == WireType.LengthPrefixed:
                    type = reader.ReadString();
                    break;
                case 1 when header.WireType == WireType.LengthPrefixed:
                    key = reader.ReadString();
                    break;
                case 2 when header.WireType == WireType.LengthPrefixed:
                    interfaceName = reader.ReadString();
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        if (type is null || key is null)
        {
            throw new WireFormatException("A grain reference is missing its grain type or key.");
        }

        var runtime = SerializationContext.ReferenceRuntime
            ?? throw new InvalidOperationException("A grain reference was deserialized outside a runtime (SerializationContext.ReferenceRuntime is not set).");
        var interfaceType = typeof(T);
        if (interfaceName is not null && TypeManifest.TryGetInterface(interfaceName, out var d) && typeof(T).IsAssignableFrom(d.InterfaceType))
        {
            interfaceType = d.InterfaceType;
        }

        return (T)(object)runtime.CreateReference(interfaceType, new GrainId(type, key));
    }
}
