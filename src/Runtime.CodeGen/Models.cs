using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace WellWon.Runtime.CodeGen;

// Pipeline models: plain records of strings and numbers (no symbols, no Compilation) so the incremental
// driver can compare them by value and reuse earlier output when nothing relevant changed.

/// <summary>Where a diagnostic goes, without holding on to a SyntaxTree.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || !location.IsInSource
            ? null
            : new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);
}

internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic()
    {
        var args = new object[Arguments.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Arguments[i];
        }

        return Diagnostic.Create(Diagnostics.ById(Id), Location?.ToLocation(), args);
    }
}

internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>Mirrors WellWon.Runtime.Invocation.InvokeFlags (same names and values; the generator cannot reference the runtime).</summary>
[System.Flags]
internal enum MethodFlags
{
    None = 0,
    ReadOnly = 1,
    AlwaysInterleave = 2,
    OneWay = 4,
    ArgumentsImmutable = 8,
    ResultImmutable = 16,
}

/// <summary>Mirrors WellWon.Runtime.Metadata.GrainClassFlags.</summary>
[System.Flags]
internal enum ClassFlags
{
    None = 0,
    Reentrant = 1,
    StatelessWorker = 2,
}

internal sealed record ParameterModel(string Name, string Type);

internal sealed record MethodModel(
    string Name,
    string DeclaringInterface,
    string DeclaringInterfaceName,
    uint InterfaceId,
    uint MethodId,
    ReturnKind ReturnKind,
    string ReturnType,
    string? ResultType,
    EquatableArray<ParameterModel> Parameters,
    MethodFlags Flags,
    string RequestClassName);

/// <summary>A grain or observer interface declared in this compilation; <see cref="Methods"/> includes inherited ones.</summary>
internal sealed record InterfaceModel(
    string FullName,
    string TypeDisplay,
    string GrainType,
    uint InterfaceId,
    string ProxyClassName,
    EquatableArray<MethodModel> Methods,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool HasErrors);

internal enum ActivatorArgumentKind
{
    PersistentState,
    GrainContext,
    GrainFactory,
    RequiredService,
    OptionalService,
}

/// <summary>One activator argument; <see cref="Type"/> is the state type for persistent state, else the service type.</summary>
internal sealed record ActivatorArgument(ActivatorArgumentKind Kind, string Type, string? StateName, string? StorageName, bool SuppressNull);

/// <summary>A grain interface a class serves; <see cref="ViaDerived"/> when it is only a base of another interface the class implements.</summary>
internal sealed record ServedInterface(string TypeDisplay, bool ViaDerived);

internal sealed record GrainClassModel(
    string FullName,
    string TypeDisplay,
    EquatableArray<ServedInterface> Interfaces,
    ClassFlags Flags,
    int MaxLocalWorkers,
    string? CollectionAgeMinutes,
    EquatableArray<ActivatorArgument> Arguments,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public bool HasErrors => Diagnostics.Count > 0;
}

internal enum MemberAssignment
{
    /// <summary>Passed to the constructor.</summary>
    Constructor,

    /// <summary>Set in the object initializer (init-only or required).</summary>
    Initializer,

    /// <summary>Assigned after construction, only when the field was present.</summary>
    Setter,

    /// <summary>Written but cannot be restored (get-only, not a constructor parameter).</summary>
    None,
}

internal sealed record SerializedMemberModel(string Name, string Type, uint Id, MemberAssignment Assignment, int ConstructorPosition);

internal sealed record SerializerModel(
    string FullName,
    string TypeDisplay,
    string CodecClassName,
    string HintName,
    bool IsValueType,
    EquatableArray<string> TypeParameters,
    string TypeParameterConstraints,
    string OpenTypeOf,
    EquatableArray<SerializedMemberModel> Members,
    int ConstructorParameterCount,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public bool HasErrors => Diagnostics.Count > 0;

    public bool IsGeneric => TypeParameters.Count > 0;
}
