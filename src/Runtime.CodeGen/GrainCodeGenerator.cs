using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace WellWon.Runtime.CodeGen;

/// <summary>Generates grain references, request invokers, serializers, activators and the assembly manifest.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainCodeGenerator : IIncrementalGenerator
{
    private const string GenerateSerializerAttribute = "WellWon.Runtime.GenerateSerializerAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Grain interfaces carry no attribute, so they are found by shape: any interface with a base list
        // that (semantically) derives from IGrain or IGrainObserver.
        var interfaces = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
                static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol && IsPrimaryDeclaration(symbol, ctx.Node)
                    ? ModelExtractor.ExtractInterface(symbol, ctx.SemanticModel.Compilation, ct)
                    : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!);

        var grainClasses = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
                static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol && IsPrimaryDeclaration(symbol, ctx.Node)
                    ? ModelExtractor.ExtractGrainClass(symbol, ctx.SemanticModel.Compilation, ct)
                    : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!);

        var serializers = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                GenerateSerializerAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ctx.TargetSymbol is INamedTypeSymbol symbol
                    ? ModelExtractor.ExtractSerializer(symbol, ctx.SemanticModel.Compilation, ct)
                    : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!);

        var assemblyName = context.CompilationProvider.Select(static (c, _) => c.AssemblyName ?? "Assembly");

        context.RegisterSourceOutput(interfaces, static (spc, model) =>
        {
            Report(spc, model.Diagnostics);
            if (!model.HasErrors)
            {
                spc.AddSource(model.ProxyClassName + ".g.cs", Emitter.EmitInterface(model));
            }
        });

        context.RegisterSourceOutput(grainClasses, static (spc, model) => Report(spc, model.Diagnostics));

        context.RegisterSourceOutput(serializers, static (spc, model) =>
        {
            Report(spc, model.Diagnostics);
            if (!model.HasErrors)
            {
                spc.AddSource(model.HintName + ".g.cs", Emitter.EmitCodec(model));
            }
        });

        var everything = interfaces.Collect()
            .Combine(grainClasses.Collect())
            .Combine(serializers.Collect())
            .Combine(assemblyName);
        context.RegisterSourceOutput(everything, static (spc, input) =>
        {
            var (((itfs, classes), codecs), name) = input;
            EmitManifest(spc, name, itfs, classes, codecs);
        });
    }

    private static void EmitManifest(
        SourceProductionContext spc,
        string assemblyName,
        ImmutableArray<InterfaceModel> interfaces,
        ImmutableArray<GrainClassModel> classes,
        ImmutableArray<SerializerModel> serializers)
    {
        // Sorted so the manifest text does not depend on file or pipeline order.
        var okInterfaces = interfaces.Where(m => !m.HasErrors).OrderBy(m => m.FullName, System.StringComparer.Ordinal).ToList();
        var okClasses = WithoutSharedBaseInterfaces(classes.Where(m => !m.HasErrors).OrderBy(m => m.FullName, System.StringComparer.Ordinal).ToList());
        var okCodecs = serializers.Where(m => !m.HasErrors).OrderBy(m => m.CodecClassName, System.StringComparer.Ordinal).ToList();
        if (okInterfaces.Count == 0 && okClasses.Count == 0 && okCodecs.Count == 0)
        {
            return;
        }

        var className = "Manifest_" + TypeNames.MangleText(assemblyName);
        spc.AddSource("WellWon_Manifest.g.cs", Emitter.EmitManifest(className, okInterfaces, okClasses, okCodecs));
    }

    /// <summary>
    /// The runtime allows one grain class per interface. A base interface shared by several grain interfaces
    /// (IRoom : IChatBase, ILobby : IChatBase) would make their classes collide, so a class does not claim an
    /// interface it only gets through a derived one when another class claims it too. A conflict between
    /// interfaces the classes implement directly is left for the runtime to report.
    /// </summary>
    private static List<GrainClassModel> WithoutSharedBaseInterfaces(List<GrainClassModel> classes)
    {
        var claims = classes
            .SelectMany(c => c.Interfaces)
            .GroupBy(i => i.TypeDisplay, System.StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), System.StringComparer.Ordinal);
        return classes
            .Select(c => c with
            {
                Interfaces = c.Interfaces.Where(i => !i.ViaDerived || claims[i.TypeDisplay] == 1).ToEquatableArray(),
            })
            .ToList();
    }

    /// <summary>A partial type is handled once, from its first declaration (the one with a base list for classes and interfaces).</summary>
    private static bool IsPrimaryDeclaration(INamedTypeSymbol symbol, SyntaxNode node)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is BaseTypeDeclarationSyntax { BaseList: not null } declaration)
            {
                return declaration == node;
            }
        }

        return false;
    }

    private static void Report(SourceProductionContext spc, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            spc.ReportDiagnostic(d.ToDiagnostic());
        }
    }
}
