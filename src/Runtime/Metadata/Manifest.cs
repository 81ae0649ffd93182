using WellWon.Runtime.Invocation;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Metadata;

/// <summary>Points at the generated manifest of an assembly; emitted once per assembly by the code generator.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class GeneratedManifestAttribute(Type manifestType) : Attribute
{
    /// <summary>A type implementing <see cref="IGeneratedManifest"/> with a public parameterless constructor.</summary>
    public Type ManifestType { get; } = manifestType;
}

/// <summary>Implemented by generated code: registers an assembly's interfaces, grain classes and codecs.</summary>
public interface IGeneratedManifest
{
    /// <summary>Adds everything this assembly declares.</summary>
    void Register(IManifestBuilder builder);
}

/// <summary>What generated manifests register into.</summary>
public interface IManifestBuilder
{
    /// <summary>A grain or observer interface with its reference factory and methods.</summary>
    void AddInterface(GrainInterfaceDescriptor descriptor);

    /// <summary>A grain implementation class with its activator.</summary>
    void AddGrainClass(GrainClassDescriptor descriptor);

    /// <summary>A codec for a closed type.</summary>
    void AddCodec<T>(IFieldCodec<T> codec);

    /// <summary>A generic codec: <paramref name="codecDefinition"/> (open, same arity, parameterless constructor) serves every closed <paramref name="typeDefinition"/>.</summary>
    void AddGenericCodec(Type typeDefinition, Type codecDefinition);
}

/// <summary>A grain (or observer) interface.</summary>
public sealed class GrainInterfaceDescriptor(
    Type interfaceType,
    string grainType,
    uint interfaceId,
    Func<IGrainReferenceRuntime, GrainId, GrainReference> createReference,
    IReadOnlyList<GrainMethodDescriptor> methods)
{
    /// <summary>The interface.</summary>
    public Type InterfaceType { get; } = interfaceType;

    /// <summary>The grain type name used in <see cref="GrainId.Type"/> ([Alias] or the full interface name).</summary>
    public string GrainType { get; } = grainType;

    /// <summary>Stable hash of <see cref="GrainType"/>.</summary>
    public uint InterfaceId { get; } = interfaceId;

    /// <summary>Creates a reference for an ID.</summary>
    public Func<IGrainReferenceRuntime, GrainId, GrainReference> CreateReference { get; } = createReference;

    /// <summary>Every method callable through the interface, inherited ones included.</summary>
    public IReadOnlyList<GrainMethodDescriptor> Methods { get; } = methods;
}

/// <summary>One callable method: its IDs, flags and a factory for its request type.</summary>
public sealed class GrainMethodDescriptor(uint interfaceId, uint methodId, string name, InvokeFlags flags, Func<Request> createRequest)
{
    /// <summary>The declaring interface's ID.</summary>
    public uint InterfaceId { get; } = interfaceId;

    /// <summary>The method's stable ID.</summary>
    public uint MethodId { get; } = methodId;

    /// <summary>The method name.</summary>
    public string Name { get; } = name;

    /// <summary>Scheduling and copying flags.</summary>
    public InvokeFlags Flags { get; } = flags;

    /// <summary>Creates an empty request to read arguments into.</summary>
    public Func<Request> CreateRequest { get; } = createRequest;
}

/// <summary>Scheduling options of a grain class.</summary>
[Flags]
public enum GrainClassFlags
{
    /// <summary>Non-reentrant, one activation per ID in the cluster.</summary>
    None = 0,

    /// <summary>[Reentrant].</summary>
    Reentrant = 1,

    /// <summary>[StatelessWorker].</summary>
    StatelessWorker = 2,
}

/// <summary>A grain implementation class.</summary>
public sealed class GrainClassDescriptor(
    Type grainClass,
    IReadOnlyList<Type> grainInterfaces,
    GrainClassFlags flags,
    int maxLocalWorkers,
    TimeSpan? collectionAge,
    Func<IServiceProvider, IGrainContext, Grain> create)
{
    /// <summary>The class.</summary>
    public Type GrainClass { get; } = grainClass;

    /// <summary>The grain interfaces it implements (each one is a grain type it serves).</summary>
    public IReadOnlyList<Type> GrainInterfaces { get; } = grainInterfaces;

    /// <summary>Scheduling options.</summary>
    public GrainClassFlags Flags { get; } = flags;

    /// <summary>For stateless workers: activations per key per silo (0: processor count).</summary>
    public int MaxLocalWorkers { get; } = maxLocalWorkers;

    /// <summary>[CollectionAgeLimit], if any.</summary>
    public TimeSpan? CollectionAge { get; } = collectionAge;

    /// <summary>Constructs the grain: services from the provider, persistent state from the context.</summary>
    public Func<IServiceProvider, IGrainContext, Grain> Create { get; } = create;
}
