using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace WellWon.Runtime.CodeGen;

/// <summary>Turns symbols into plain models (and diagnostics). Everything that needs semantic information happens here.</summary>
internal static class ModelExtractor
{
    private static readonly string[] s_markerInterfaces =
    [
        "IAddressable", "IGrain", "IGrainWithGuidKey", "IGrainWithStringKey", "IGrainWithIntegerKey", "IGrainObserver",
    ];

    private static readonly string[] s_immutableSystemTypes =
    [
        "System.Guid", "System.DateTimeOffset", "System.TimeSpan", "System.DateOnly", "System.TimeOnly", "System.Uri", "System.Version",
    ];

    // ---- classification -------------------------------------------------------------------------------------

    public static bool IsMarkerInterface(INamedTypeSymbol type) =>
        type.ContainingType is null
        && type.ContainingNamespace?.ToDisplayString() == TypeNames.RuntimeNamespace
        && Array.IndexOf(s_markerInterfaces, type.Name) >= 0;

    /// <summary>A user interface deriving from IGrain or IGrainObserver (the markers themselves excluded).</summary>
    public static bool IsGrainInterface(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && !IsMarkerInterface(type)
        && type.AllInterfaces.Any(i => TypeNames.IsRuntimeType(i, "IGrain") || TypeNames.IsRuntimeType(i, "IGrainObserver"));

    private static bool IsAddressable(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && (TypeNames.IsRuntimeType(type, "IAddressable") || type.AllInterfaces.Any(i => TypeNames.IsRuntimeType(i, "IAddressable")));

    private static bool DerivesFromGrain(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (TypeNames.IsRuntimeType(t, "Grain"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reachable from the generated files: not private/protected, and not file-local (generated code lives in other files).</summary>
    private static bool IsAccessible(INamedTypeSymbol symbol, Compilation compilation)
    {
        for (var t = symbol; t is not null; t = t.ContainingType)
        {
            if (t.IsFileLocal)
            {
                return false;
            }
        }

        return compilation.IsSymbolAccessibleWithin(symbol, compilation.Assembly);
    }

    private static bool IsGenericOrInGeneric(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Immutable for copying purposes, per docs/codegen.md.</summary>
    public static bool IsImmutable(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
            case SpecialType.System_DateTime:
                return true;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        if (type is INamedTypeSymbol named)
        {
            if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            {
                return IsImmutable(named.TypeArguments[0]);
            }

            if (named.ContainingType is null && Array.IndexOf(s_immutableSystemTypes, named.ToDisplayString(TypeNames.FullName)) >= 0)
            {
                return true;
            }

            if (TypeNames.HasAttribute(named.OriginalDefinition, "ImmutableAttribute"))
            {
                return true;
            }
        }

        return IsAddressable(type);
    }

    // ---- grain and observer interfaces -----------------------------------------------------------------------

    public static InterfaceModel? ExtractInterface(INamedTypeSymbol symbol, Compilation compilation, CancellationToken cancellationToken)
    {
        if (!IsGrainInterface(symbol))
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var hasErrors = false;
        var fullName = symbol.ToDisplayString(TypeNames.FullName);
        var grainType = GrainTypeName(symbol);
        var mangled = TypeNames.Mangle(symbol);

        if (!IsAccessible(symbol, compilation))
        {
            diagnostics.Add(Diag(Diagnostics.Inaccessible, symbol, "Grain interface", fullName));
        }

        if (IsGenericOrInGeneric(symbol))
        {
            diagnostics.Add(Diag(Diagnostics.GenericInterface, symbol, fullName));
        }

        var methods = new List<MethodModel>();
        var declaringInterfaces = new[] { symbol }.Concat(symbol.AllInterfaces.Where(i => !IsMarkerInterface(i)));
        foreach (var declaring in declaringInterfaces)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A grain interface of this compilation reports its own errors; repeating them for every derived
            // interface would only add noise. The derived interface is still skipped.
            var isOwn = SymbolEqualityComparer.Default.Equals(declaring, symbol);
            var report = isOwn || !(IsGrainInterface(declaring) && declaring.Locations.Any(l => l.IsInSource));
            var sink = report ? diagnostics : new List<DiagnosticInfo>();
            var declaringName = declaring.ToDisplayString(TypeNames.FullName);
            var declaringId = StableId.Fnv1a32(GrainTypeName(declaring));

            foreach (var member in declaring.GetMembers())
            {
                if (member.IsStatic)
                {
                    continue;
                }

                switch (member)
                {
                    case IPropertySymbol property:
                        sink.Add(DiagOrAt(Diagnostics.PropertyOrEvent, member, symbol, fullName, property.IsIndexer ? "indexer" : "property", property.Name));
                        break;
                    case IEventSymbol ev:
                        sink.Add(DiagOrAt(Diagnostics.PropertyOrEvent, member, symbol, fullName, "event", ev.Name));
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                        when method.DeclaredAccessibility == Accessibility.Public:
                        var model = ExtractMethod(method, symbol, declaring, declaringName, declaringId, mangled, methods.Count, sink);
                        if (model is not null)
                        {
                            methods.Add(model);
                        }

                        break;
                }
            }

            hasErrors |= sink.Count > 0;
        }

        return new InterfaceModel(
            fullName,
            TypeNames.ToCodeNotNull(symbol),
            grainType,
            StableId.Fnv1a32(grainType),
            "Proxy_" + mangled,
            methods.ToEquatableArray(),
            diagnostics.ToEquatableArray(),
            hasErrors || diagnostics.Count > 0);
    }

    private static string GrainTypeName(INamedTypeSymbol symbol) =>
        AliasOf(symbol) ?? symbol.ToDisplayString(TypeNames.FullName);

    private static string? AliasOf(ISymbol symbol) =>
        TypeNames.GetAttribute(symbol, "AliasAttribute") is { ConstructorArguments.Length: > 0 } alias
            ? alias.ConstructorArguments[0].Value as string
            : null;

    private static MethodModel? ExtractMethod(
        IMethodSymbol method,
        INamedTypeSymbol owner,
        INamedTypeSymbol declaring,
        string declaringName,
        uint declaringId,
        string mangledOwner,
        int ordinal,
        List<DiagnosticInfo> diagnostics)
    {
        var ownerName = owner.ToDisplayString(TypeNames.FullName);
        var ok = true;

        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagOrAt(Diagnostics.GenericMethod, method, owner, method.Name, ownerName));
            ok = false;
        }

        var kind = ClassifyReturn(method.ReturnType, out var resultType);
        if (kind is null)
        {
            diagnostics.Add(DiagOrAt(Diagnostics.UnsupportedReturnType, method, owner, method.Name, ownerName, method.ReturnType.ToDisplayString()));
            ok = false;
        }

        var oneWay = TypeNames.HasAttribute(method, "OneWayAttribute");
        if (oneWay && resultType is not null)
        {
            diagnostics.Add(DiagOrAt(Diagnostics.OneWayWithResult, method, owner, method.Name, ownerName, method.ReturnType.ToDisplayString()));
            ok = false;
        }

        var argumentsImmutable = true;
        var parameters = new List<ParameterModel>();
        foreach (var p in method.Parameters)
        {
            if (p.RefKind != RefKind.None)
            {
                diagnostics.Add(DiagOrAt(Diagnostics.ByRefParameter, p, owner, p.Name, method.Name, ownerName, RefKindText(p.RefKind)));
                ok = false;
            }

            if (p.Type is INamedTypeSymbol { Name: "CancellationToken", ContainingType: null } ct
                && ct.ContainingNamespace?.ToDisplayString() == "System.Threading")
            {
                diagnostics.Add(DiagOrAt(Diagnostics.CancellationTokenParameter, p, owner, p.Name, method.Name, ownerName));
                ok = false;
            }

            argumentsImmutable &= TypeNames.HasAttribute(p, "ImmutableAttribute") || IsImmutable(p.Type);
            parameters.Add(new ParameterModel(TypeNames.Identifier(p.Name), TypeNames.ToCode(p.Type)));
        }

        if (!ok || kind is null)
        {
            return null;
        }

        var resultImmutable = resultType is null
            || method.GetReturnTypeAttributes().Any(a => TypeNames.IsRuntimeType(a.AttributeClass, "ImmutableAttribute"))
            || IsImmutable(resultType);

        var flags = MethodFlags.None;
        if (TypeNames.HasAttribute(method, "ReadOnlyAttribute"))
        {
            flags |= MethodFlags.ReadOnly;
        }

        if (TypeNames.HasAttribute(method, "AlwaysInterleaveAttribute"))
        {
            flags |= MethodFlags.AlwaysInterleave;
        }

        if (oneWay)
        {
            flags |= MethodFlags.OneWay;
        }

        if (argumentsImmutable)
        {
            flags |= MethodFlags.ArgumentsImmutable;
        }

        if (resultImmutable)
        {
            flags |= MethodFlags.ResultImmutable;
        }

        return new MethodModel(
            method.Name,
            TypeNames.ToCodeNotNull(declaring),
            declaringName,
            declaringId,
            StableId.Fnv1a32(MethodIdText(method)),
            kind.Value,
            TypeNames.ToCode(method.ReturnType),
            resultType is null ? null : TypeNames.ToCode(resultType),
            parameters.ToEquatableArray(),
            flags,
            "Invokable_" + mangledOwner + "_" + TypeNames.MangleText(method.Name) + "_" + ordinal.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The text a method ID hashes: [Alias] if present, else Name(T1,T2), e.g. Add(int,System.Collections.Generic.List<string>).</summary>
    public static string MethodIdText(IMethodSymbol method) =>
        AliasOf(method) ?? method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(TypeNames.Id))) + ")";

    private static ReturnKind? ClassifyReturn(ITypeSymbol type, out ITypeSymbol? resultType)
    {
        resultType = null;
        if (type is not INamedTypeSymbol { ContainingType: null } named
            || named.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks")
        {
            return null;
        }

        switch (named.Name, named.Arity)
        {
            case ("Task", 0):
                return ReturnKind.Task;
            case ("ValueTask", 0):
                return ReturnKind.ValueTask;
            case ("Task", 1):
                resultType = named.TypeArguments[0];
                return ReturnKind.TaskOfT;
            case ("ValueTask", 1):
                resultType = named.TypeArguments[0];
                return ReturnKind.ValueTaskOfT;
            default:
                return null;
        }
    }

    private static string RefKindText(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref",
        RefKind.Out => "out",
        RefKind.In => "in",
        _ => "ref readonly",
    };

    // ---- grain classes ---------------------------------------------------------------------------------------

    public static GrainClassModel? ExtractGrainClass(INamedTypeSymbol symbol, Compilation compilation, CancellationToken cancellationToken)
    {
        if (symbol.TypeKind != TypeKind.Class || symbol.IsAbstract || symbol.IsStatic || !DerivesFromGrain(symbol))
        {
            return null;
        }

        var grainInterfaces = symbol.AllInterfaces
            .Where(i => IsGrainInterface(i) && i.AllInterfaces.Any(b => TypeNames.IsRuntimeType(b, "IGrain")))
            .ToList();
        var interfaces = grainInterfaces
            .Select(i => new ServedInterface(
                TypeNames.ToCodeNotNull(i),
                grainInterfaces.Any(other => other.AllInterfaces.Contains(i, SymbolEqualityComparer.Default))))
            .ToList();

        // An open generic class cannot be activated, and a class without grain interfaces cannot be addressed.
        if (interfaces.Count == 0 || IsGenericOrInGeneric(symbol))
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var fullName = symbol.ToDisplayString(TypeNames.FullName);
        if (!IsAccessible(symbol, compilation))
        {
            diagnostics.Add(Diag(Diagnostics.Inaccessible, symbol, "Grain class", fullName));
        }

        var constructor = symbol.InstanceConstructors
            .Where(c => compilation.IsSymbolAccessibleWithin(c, compilation.Assembly))
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        if (constructor is null && diagnostics.Count == 0)
        {
            diagnostics.Add(Diag(Diagnostics.Inaccessible, symbol, "Every constructor of grain class", fullName));
        }

        var arguments = new List<ActivatorArgument>();
        foreach (var p in constructor?.Parameters ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = TypeNames.GetAttribute(p, "PersistentStateAttribute");
            if (state is not null)
            {
                if (p.Type is INamedTypeSymbol { Arity: 1 } ps && TypeNames.IsRuntimeType(ps.OriginalDefinition, "IPersistentState"))
                {
                    var args = state.ConstructorArguments;
                    var stateName = args.Length > 0 ? args[0].Value as string : null;
                    var storageName = args.Length > 1 ? args[1].Value as string : null;
                    arguments.Add(new ActivatorArgument(ActivatorArgumentKind.PersistentState, TypeNames.ToCode(ps.TypeArguments[0]), stateName ?? p.Name, storageName, false));
                }
                else
                {
                    diagnostics.Add(DiagOrAt(Diagnostics.PersistentStateType, p, symbol, p.Name, fullName, p.Type.ToDisplayString()));
                }
            }
            else if (TypeNames.IsRuntimeType(p.Type, "IGrainContext"))
            {
                arguments.Add(new ActivatorArgument(ActivatorArgumentKind.GrainContext, string.Empty, null, null, false));
            }
            else if (TypeNames.IsRuntimeType(p.Type, "IGrainFactory"))
            {
                arguments.Add(new ActivatorArgument(ActivatorArgumentKind.GrainFactory, string.Empty, null, null, false));
            }
            else if (p.HasExplicitDefaultValue)
            {
                // GetService yields null for a missing service; a parameter declared non-nullable gets it anyway, as with DI.
                var suppress = p.Type.IsReferenceType && p.Type.NullableAnnotation != NullableAnnotation.Annotated;
                arguments.Add(new ActivatorArgument(ActivatorArgumentKind.OptionalService, TypeNames.ToCode(p.Type), null, null, suppress));
            }
            else
            {
                arguments.Add(new ActivatorArgument(ActivatorArgumentKind.RequiredService, TypeNames.ToCodeNotNull(p.Type), null, null, false));
            }
        }

        var flags = ClassFlags.None;
        var maxLocalWorkers = 0;
        string? collectionAge = null;
        if (TypeNames.HasAttribute(symbol, "ReentrantAttribute"))
        {
            flags |= ClassFlags.Reentrant;
        }

        if (TypeNames.GetAttribute(symbol, "StatelessWorkerAttribute") is { } worker)
        {
            flags |= ClassFlags.StatelessWorker;
            if (worker.ConstructorArguments.Length == 1 && worker.ConstructorArguments[0].Value is int max)
            {
                maxLocalWorkers = max;
            }
        }

        if (TypeNames.GetAttribute(symbol, "CollectionAgeLimitAttribute") is { ConstructorArguments.Length: 1 } age
            && age.ConstructorArguments[0].Value is double minutes)
        {
            collectionAge = minutes.ToString("R", CultureInfo.InvariantCulture);
        }

        return new GrainClassModel(
            fullName,
            TypeNames.ToCodeNotNull(symbol),
            interfaces.ToEquatableArray(),
            flags,
            maxLocalWorkers,
            collectionAge,
            arguments.ToEquatableArray(),
            diagnostics.ToEquatableArray());
    }

    // ---- [GenerateSerializer] types --------------------------------------------------------------------------

    private sealed class MemberCandidate(ISymbol symbol, ITypeSymbol type, uint id)
    {
        public ISymbol Symbol { get; } = symbol;

        public ITypeSymbol Type { get; } = type;

        public uint Id { get; } = id;
    }

    public static SerializerModel? ExtractSerializer(INamedTypeSymbol symbol, Compilation compilation, CancellationToken cancellationToken)
    {
        // An abstract type cannot be constructed by a codec; its [Id] members are still written by derived codecs.
        if (symbol.TypeKind is not (TypeKind.Class or TypeKind.Struct) || symbol.IsStatic || symbol.IsAbstract)
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var fullName = symbol.ToDisplayString(TypeNames.FullName);
        var mangled = TypeNames.Mangle(symbol);
        if (!IsAccessible(symbol, compilation))
        {
            // Its members would all be inaccessible too; one error is enough.
            diagnostics.Add(Diag(Diagnostics.Inaccessible, symbol, "Serializable type", fullName));
            return Failed();
        }

        SerializerModel Failed() => new(
            fullName, string.Empty, "Codec_" + mangled, "Codec_" + mangled, symbol.IsValueType, EquatableArray<string>.Empty, string.Empty,
            string.Empty, EquatableArray<SerializedMemberModel>.Empty, 0, diagnostics.ToEquatableArray());

        var candidates = CollectMembers(symbol, compilation, diagnostics, fullName, cancellationToken);

        var byId = new Dictionary<uint, MemberCandidate>();
        foreach (var c in candidates)
        {
            if (byId.TryGetValue(c.Id, out var first))
            {
                diagnostics.Add(DiagOrAt(Diagnostics.DuplicateId, c.Symbol, symbol, first.Symbol.Name, c.Symbol.Name, fullName, c.Id.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                byId.Add(c.Id, c);
            }
        }

        var constructor = ChooseConstructor(symbol, candidates, compilation);
        if (constructor is null && diagnostics.Count == 0)
        {
            diagnostics.Add(Diag(Diagnostics.Inaccessible, symbol, "A constructor (parameterless, or taking [Id] members by name) of serializable type", fullName));
        }

        var members = new List<SerializedMemberModel>();
        foreach (var c in candidates)
        {
            var position = constructor is null ? -1 : IndexOfParameter(constructor, c);
            MemberAssignment assignment;
            if (position >= 0)
            {
                assignment = MemberAssignment.Constructor;
            }
            else
            {
                assignment = c.Symbol switch
                {
                    IPropertySymbol { SetMethod: { } setter } p when compilation.IsSymbolAccessibleWithin(setter, compilation.Assembly) =>
                        setter.IsInitOnly || p.IsRequired ? MemberAssignment.Initializer : MemberAssignment.Setter,
                    IFieldSymbol { IsReadOnly: false, IsConst: false } f => f.IsRequired ? MemberAssignment.Initializer : MemberAssignment.Setter,
                    _ => MemberAssignment.None,
                };
            }

            members.Add(new SerializedMemberModel(TypeNames.Identifier(c.Symbol.Name), TypeNames.ToCode(c.Type), c.Id, assignment, position));
        }

        var typeParameters = AllTypeParameters(symbol);
        return new SerializerModel(
            fullName,
            TypeNames.ToCodeNotNull(symbol),
            "Codec_" + mangled,
            "Codec_" + mangled,
            symbol.IsValueType,
            typeParameters.Select(t => t.Name).ToEquatableArray(),
            Constraints(typeParameters),
            OpenTypeOf(symbol),
            members.OrderBy(m => m.Id).ToEquatableArray(),
            constructor?.Parameters.Length ?? 0,
            diagnostics.ToEquatableArray());
    }

    private static List<MemberCandidate> CollectMembers(
        INamedTypeSymbol symbol, Compilation compilation, List<DiagnosticInfo> diagnostics, string fullName, CancellationToken cancellationToken)
    {
        var result = new List<MemberCandidate>();
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        for (var t = symbol; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var member in t.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared && member is IFieldSymbol)
                {
                    continue;
                }

                ITypeSymbol? type;
                uint? id;
                switch (member)
                {
                    case IPropertySymbol { IsIndexer: false } p:
                        type = p.Type;
                        id = IdOf(p) ?? PositionalParameterId(t, p);
                        break;
                    case IFieldSymbol f:
                        type = f.Type;
                        id = IdOf(f);
                        break;
                    default:
                        continue;
                }

                // The most derived declaration wins (overrides and hiding members come first in the walk).
                if (id is null || !seenNames.Add(member.Name))
                {
                    continue;
                }

                var readable = member is IPropertySymbol prop
                    ? prop.GetMethod is { } getter && compilation.IsSymbolAccessibleWithin(getter, compilation.Assembly)
                    : compilation.IsSymbolAccessibleWithin(member, compilation.Assembly);
                if (!readable)
                {
                    diagnostics.Add(DiagOrAt(Diagnostics.Inaccessible, member, symbol, "Serialized member", fullName + "." + member.Name));
                    continue;
                }

                result.Add(new MemberCandidate(member, type, id.Value));
            }
        }

        return result;
    }

    private static uint? IdOf(ISymbol symbol) =>
        TypeNames.GetAttribute(symbol, "IdAttribute") is { ConstructorArguments.Length: 1 } attribute
        && attribute.ConstructorArguments[0].Value is uint id
            ? id
            : null;

    /// <summary>A positional record parameter may carry [Id] itself rather than [property: Id].</summary>
    private static uint? PositionalParameterId(INamedTypeSymbol type, IPropertySymbol property)
    {
        if (!type.IsRecord)
        {
            return null;
        }

        foreach (var ctor in type.InstanceConstructors)
        {
            foreach (var p in ctor.Parameters)
            {
                if (p.Name == property.Name && IdOf(p) is { } id)
                {
                    return id;
                }
            }
        }

        return null;
    }

    /// <summary>The accessible constructor with the most parameters, all of which name [Id] members of the same type.</summary>
    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<MemberCandidate> members, Compilation compilation)
    {
        IMethodSymbol? best = null;
        foreach (var ctor in type.InstanceConstructors)
        {
            if (!compilation.IsSymbolAccessibleWithin(ctor, compilation.Assembly))
            {
                continue;
            }

            var matches = ctor.Parameters.All(p =>
                p.RefKind == RefKind.None
                && members.Count(m => string.Equals(m.Symbol.Name, p.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(m.Type, p.Type)) == 1);
            if (matches && (best is null || ctor.Parameters.Length > best.Parameters.Length))
            {
                best = ctor;
            }
        }

        return best;
    }

    private static int IndexOfParameter(IMethodSymbol ctor, MemberCandidate member)
    {
        for (var i = 0; i < ctor.Parameters.Length; i++)
        {
            if (string.Equals(ctor.Parameters[i].Name, member.Symbol.Name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static List<ITypeParameterSymbol> AllTypeParameters(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            chain.Insert(0, t);
        }

        return chain.SelectMany(t => t.TypeParameters).ToList();
    }

    /// <summary>The open generic codec repeats the type's constraints, or closing it over the type would not compile.</summary>
    private static string Constraints(List<ITypeParameterSymbol> typeParameters)
    {
        var clauses = new List<string>();
        foreach (var tp in typeParameters)
        {
            var parts = new List<string>();
            if (tp.HasReferenceTypeConstraint)
            {
                parts.Add(tp.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (tp.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (tp.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (tp.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            parts.AddRange(tp.ConstraintTypes.Select(TypeNames.ToCode));
            if (tp.HasConstructorConstraint && !tp.HasValueTypeConstraint && !tp.HasUnmanagedTypeConstraint)
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                clauses.Add("where " + tp.Name + " : " + string.Join(", ", parts));
            }
        }

        return string.Join(" ", clauses);
    }

    private static string OpenTypeOf(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            chain.Insert(0, t);
        }

        var ns = chain[0].ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
        return "global::" + ns + string.Join(".", chain.Select(t =>
            TypeNames.Identifier(t.Name) + (t.Arity > 0 ? "<" + new string(',', t.Arity - 1) + ">" : string.Empty)));
    }

    // ---- diagnostics -----------------------------------------------------------------------------------------

    private static DiagnosticInfo Diag(DiagnosticDescriptor descriptor, ISymbol symbol, params string[] args) =>
        DiagOrAt(descriptor, symbol, null, args);

    /// <summary>Located at <paramref name="symbol"/>, or at <paramref name="fallback"/> when the symbol lives in metadata.</summary>
    private static DiagnosticInfo DiagOrAt(DiagnosticDescriptor descriptor, ISymbol symbol, ISymbol? fallback, params string[] args)
    {
        var location = symbol.Locations.FirstOrDefault(l => l.IsInSource)
            ?? fallback?.Locations.FirstOrDefault(l => l.IsInSource);
        return new DiagnosticInfo(descriptor.Id, LocationInfo.From(location), args.ToEquatableArray());
    }
}
