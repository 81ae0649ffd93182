using System.Collections.Concurrent;
using System.Reflection;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Metadata;

/// <summary>
/// The process-wide registry of generated code: interfaces, grain classes and codecs from every assembly that
/// carries a <see cref="GeneratedManifestAttribute"/>. Assemblies register on first use or explicitly.
/// </summary>
public static class TypeManifest
{
    private static readonly object s_lock = new();
    private static readonly HashSet<Assembly> s_registered = [];
    private static readonly ConcurrentDictionary<Type, GrainInterfaceDescriptor> s_interfacesByType = new();
    private static readonly ConcurrentDictionary<string, GrainInterfaceDescriptor> s_interfacesByGrainType = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<ulong, GrainMethodDescriptor> s_methods = new();
    private static readonly ConcurrentDictionary<Type, GrainClassDescriptor> s_classesByInterface = new();

    /// <summary>Registers the generated code of <paramref name="assembly"/> (idempotent). Returns whether it had any.</summary>
    public static bool EnsureRegistered(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (s_lock)
        {
            if (!s_registered.Add(assembly))
            {
                return true;
            }

            var attributes = assembly.GetCustomAttributes<GeneratedManifestAttribute>().ToArray();
            var builder = new Builder();
            foreach (var attribute in attributes)
            {
                var manifest = (IGeneratedManifest)Activator.CreateInstance(attribute.ManifestType)!;
                manifest.Register(builder);
            }

            return attributes.Length > 0;
        }
    }

    /// <summary>Registers every loaded assembly that carries generated code.</summary>
    public static void RegisterLoadedAssemblies()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!assembly.IsDynamic && assembly.IsDefined(typeof(GeneratedManifestAttribute), false))
            {
                EnsureRegistered(assembly);
            }
        }
    }

    /// <summary>The descriptor of a grain or observer interface.</summary>
    public static GrainInterfaceDescriptor GetInterface(Type interfaceType)
    {
        if (s_interfacesByType.TryGetValue(interfaceType, out var d))
        {
            return d;
        }

        EnsureRegistered(interfaceType.Assembly);
        return s_interfacesByType.TryGetValue(interfaceType, out d)
            ? d
            : throw new InvalidOperationException(
                $"'{interfaceType}' has no generated reference. Grain interfaces must derive from a keyed IGrain interface or IGrainObserver in a project that uses the WellWon code generator.");
    }

    /// <summary>The descriptor of the interface whose grain type is <paramref name="grainType"/>, if registered.</summary>
    public static bool TryGetInterface(string grainType, out GrainInterfaceDescriptor descriptor) =>
        s_interfacesByGrainType.TryGetValue(grainType, out descriptor!);

    /// <summary>The method with the given IDs, if registered.</summary>
    public static bool TryGetMethod(uint interfaceId, uint methodId, out GrainMethodDescriptor descriptor) =>
        s_methods.TryGetValue(((ulong)interfaceId << 32) | methodId, out descriptor!);

    /// <summary>The grain class implementing a grain interface, if one is registered.</summary>
    public static bool TryGetGrainClass(Type interfaceType, out GrainClassDescriptor descriptor) =>
        s_classesByInterface.TryGetValue(interfaceType, out descriptor!);

    private sealed class Builder : IManifestBuilder
    {
        public void AddInterface(GrainInterfaceDescriptor descriptor)
        {
            s_interfacesByType.TryAdd(descriptor.InterfaceType, descriptor);
            if (!s_interfacesByGrainType.TryAdd(descriptor.GrainType, descriptor)
                && s_interfacesByGrainType[descriptor.GrainType].InterfaceType != descriptor.InterfaceType)
            {
                throw new InvalidOperationException(
                    $"Grain type '{descriptor.GrainType}' is claimed by both {s_interfacesByGrainType[descriptor.GrainType].InterfaceType} and {descriptor.InterfaceType}; give one an [Alias].");
            }

            foreach (var method in descriptor.Methods)
            {
                s_methods.TryAdd(((ulong)method.InterfaceId << 32) | method.MethodId, method);
            }
        }

        public void AddGrainClass(GrainClassDescriptor descriptor)
        {
            foreach (var itf in descriptor.GrainInterfaces)
            {
                if (!s_classesByInterface.TryAdd(itf, descriptor) && s_classesByInterface[itf].GrainClass != descriptor.GrainClass)
                {
                    throw new InvalidOperationException(
                        $"Grain interface {itf} is implemented by both {s_classesByInterface[itf].GrainClass} and {descriptor.GrainClass}; one implementation per interface is supported.");
                }
            }
        }

        public void AddCodec<T>(IFieldCodec<T> codec) => CodecRegistry.Register(codec);

        public void AddGenericCodec(Type typeDefinition, Type codecDefinition) => CodecRegistry.RegisterGeneric(typeDefinition, codecDefinition);
    }
}
