using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WellWon.Runtime.CodeGen;

/// <summary>How types are spelled in generated code and IDs, and how generated class names are derived.</summary>
internal static class TypeNames
{
    public const string RuntimeNamespace = "WellWon.Runtime";
    public const string GeneratedNamespace = "WellWonGenerated";

    /// <summary>For generated code: global:: everywhere (user types may shadow System), nullability kept so explicit implementations match.</summary>
    public static readonly SymbolDisplayFormat Code = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Same as <see cref="Code"/> without nullable annotations (for notnull-constrained type arguments and typeof).</summary>
    public static readonly SymbolDisplayFormat CodeNoNullable = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>
    /// For method IDs: the fully qualified format without global:: (keywords for built-in types, no nullable
    /// reference annotations, so an ID does not change when a project toggles nullable).
    /// </summary>
    public static readonly SymbolDisplayFormat Id = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    /// <summary>For grain type names and messages: Ns.Outer.IFoo.</summary>
    public static readonly SymbolDisplayFormat FullName = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

    public static string ToCode(ITypeSymbol type) => type.ToDisplayString(Code);

    public static string ToCodeNotNull(ITypeSymbol type) =>
        type.IsReferenceType ? type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Code) : type.ToDisplayString(Code);

    /// <summary>
    /// A unique identifier fragment for a type: '.' and nesting become '_', generic arity '_n', and literal
    /// underscores are doubled so two different types can never map to the same name.
    /// </summary>
    public static string Mangle(INamedTypeSymbol type)
    {
        var parts = new StringBuilder();
        AppendMangled(parts, type);
        return parts.ToString();
    }

    public static string MangleText(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '_')
            {
                sb.Append("__");
            }
            else if (c == '.')
            {
                sb.Append('_');
            }
            else if (char.IsLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else
            {
                // Other characters (assembly names may contain '-') get an escape no identifier character produces.
                sb.Append("_x").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static void AppendMangled(StringBuilder sb, INamedTypeSymbol type)
    {
        if (type.ContainingType is { } outer)
        {
            AppendMangled(sb, outer);
            sb.Append('_');
        }
        else if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            sb.Append(MangleText(ns.ToDisplayString())).Append('_');
        }

        sb.Append(MangleText(type.Name));
        if (type.Arity > 0)
        {
            sb.Append('_').Append(type.Arity.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Parameter names as identifiers (a parameter may be called @class).</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    public static string Hex(uint value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture) + "u";

    public static bool IsRuntimeType(ITypeSymbol? type, string name) =>
        type is INamedTypeSymbol { ContainingType: null } named
        && named.Name == name
        && named.ContainingNamespace?.ToDisplayString() == RuntimeNamespace;

    public static bool HasAttribute(ISymbol symbol, string runtimeAttributeName) =>
        symbol.GetAttributes().Any(a => IsRuntimeType(a.AttributeClass, runtimeAttributeName));

    public static AttributeData? GetAttribute(ISymbol symbol, string runtimeAttributeName) =>
        symbol.GetAttributes().FirstOrDefault(a => IsRuntimeType(a.AttributeClass, runtimeAttributeName));
}
