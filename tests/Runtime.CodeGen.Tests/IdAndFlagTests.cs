using Microsoft.CodeAnalysis;
using WellWon.Runtime.Invocation;

namespace WellWon.Runtime.CodeGen.Tests;

public class IdAndFlagTests
{
    private const InvokeFlags Args = InvokeFlags.ArgumentsImmutable;
    private const InvokeFlags Result = InvokeFlags.ResultImmutable;

    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    [InlineData("Add(int)", 0xCF437DECu)]
    public void Stable_ids_are_fnv1a_32_over_utf8(string text, uint expected) =>
        Assert.Equal(expected, StableId.Fnv1a32(text));

    [Fact]
    public void Interface_id_hashes_the_full_name_and_method_id_hashes_the_qualified_signature()
    {
        var model = Extract("namespace Sample { public interface IFoo : IGrainWithStringKey { Task<int> Add(int amount); } }", "Sample.IFoo");

        Assert.Equal("Sample.IFoo", model.GrainType);
        Assert.Equal(0x0B591636u, model.InterfaceId);
        var add = Assert.Single(model.Methods);
        Assert.Equal(0xCF437DECu, add.MethodId);
        Assert.Equal(model.InterfaceId, add.InterfaceId);
    }

    [Fact]
    public void Method_id_text_uses_fully_qualified_parameter_types_without_global_or_nullable_annotations()
    {
        var compilation = GeneratorHarness.Compile("namespace Sample { public interface IFoo : IGrainWithStringKey { Task Echo(string? s, List<int> l, Guid g, int? n); } }");
        var method = compilation.GetTypeByMetadataName("Sample.IFoo")!.GetMembers("Echo").OfType<IMethodSymbol>().Single();

        Assert.Equal("Echo(string,System.Collections.Generic.List<int>,System.Guid,int?)", ModelExtractor.MethodIdText(method));
    }

    [Fact]
    public void Alias_replaces_the_name_in_interface_and_method_ids()
    {
        var model = Extract("""
            [Alias("room")]
            public interface IRoom : IGrainWithStringKey { [Alias("post-v1")] Task Post(string text); }
            """, "IRoom");

        Assert.Equal("room", model.GrainType);
        Assert.Equal(0x37FD327Au, model.InterfaceId);
        Assert.Equal(StableId.Fnv1a32("post-v1"), Assert.Single(model.Methods).MethodId);
    }

    [Fact]
    public void Reordering_methods_does_not_change_their_ids()
    {
        var first = Extract("public interface IFoo : IGrainWithStringKey { Task A(int x); Task<string> B(string? s, List<int> l); Task A(long x); }", "IFoo");
        var second = Extract("public interface IFoo : IGrainWithStringKey { Task A(long x); Task A(int x); Task<string> B(string? s, List<int> l); }", "IFoo");

        var idsFirst = first.Methods.ToDictionary(m => m.Name + m.Parameters[0].Type, m => m.MethodId);
        var idsSecond = second.Methods.ToDictionary(m => m.Name + m.Parameters[0].Type, m => m.MethodId);
        Assert.Equal(idsFirst.OrderBy(kv => kv.Key), idsSecond.OrderBy(kv => kv.Key));
        Assert.Equal(3, idsFirst.Values.Distinct().Count());
    }

    [Fact]
    public void Nullable_annotations_do_not_change_method_ids()
    {
        var annotated = Extract("public interface IFoo : IGrainWithStringKey { Task A(string? s); }", "IFoo");
        var plain = Extract("public interface IFoo : IGrainWithStringKey { Task A(string s); }", "IFoo");

        Assert.Equal(StableId.Fnv1a32("A(string)"), annotated.Methods[0].MethodId);
        Assert.Equal(annotated.Methods[0].MethodId, plain.Methods[0].MethodId);
    }

    [Fact]
    public void Inherited_methods_keep_their_declaring_interface_ids()
    {
        var model = Extract("""
            namespace Sample
            {
                public interface IBase : IGrainWithStringKey { Task Ping(); }
                public interface IDerived : IBase { Task Pong(); }
            }
            """, "Sample.IDerived");

        var ping = Assert.Single(model.Methods, m => m.Name == "Ping");
        var pong = Assert.Single(model.Methods, m => m.Name == "Pong");
        Assert.Equal(StableId.Fnv1a32("Sample.IBase"), ping.InterfaceId);
        Assert.Equal(StableId.Fnv1a32("Sample.IDerived"), pong.InterfaceId);
        Assert.Equal(StableId.Fnv1a32("Ping()"), ping.MethodId);
    }

    [Fact]
    public void Flags_reflect_attributes_and_immutability()
    {
        var model = Extract("""
            public enum Color { Red }
            [Immutable] public sealed class Frozen { }
            public sealed class Mutable { }
            public interface IObserver : IGrainObserver { Task Notify(int x); }
            public interface IOther : IGrainWithGuidKey { Task Ping(); }
            public interface IFoo : IGrainWithStringKey
            {
                [ReadOnly] Task<int> Read();
                [AlwaysInterleave] ValueTask<string> Interleave(Guid id, DateTime at, TimeSpan span, decimal d, Color c, int? n, Uri u, Version v, DateOnly day, TimeOnly time, DateTimeOffset o);
                [OneWay] Task Fire(Mutable m);
                Task Mixed(int a, Mutable b);
                Task WithMarked([Immutable] Mutable m);
                Task<Mutable> Returns();
                [return: Immutable] Task<Mutable> ReturnsMarked();
                ValueTask<Frozen> ReturnsFrozen(Frozen f);
                Task<IOther> Reference(IObserver observer);
                Task<List<int>> ReturnsList(int[] values);
            }
            """, "IFoo");

        Assert.Equal(InvokeFlags.ReadOnly | Args | Result, Flags(model, "Read"));
        Assert.Equal(InvokeFlags.AlwaysInterleave | Args | Result, Flags(model, "Interleave"));
        Assert.Equal(InvokeFlags.OneWay | Result, Flags(model, "Fire"));
        Assert.Equal(Result, Flags(model, "Mixed"));
        Assert.Equal(Args | Result, Flags(model, "WithMarked"));
        Assert.Equal(Args, Flags(model, "Returns"));
        Assert.Equal(Args | Result, Flags(model, "ReturnsMarked"));
        Assert.Equal(Args | Result, Flags(model, "ReturnsFrozen"));
        Assert.Equal(Args | Result, Flags(model, "Reference"));
        Assert.Equal(InvokeFlags.None, Flags(model, "ReturnsList"));
    }

    [Fact]
    public void Generator_flag_mirrors_match_the_runtime_enums()
    {
        Assert.Equal(
            Enum.GetValues<InvokeFlags>().Select(f => (f.ToString(), (int)f)),
            Enum.GetValues<MethodFlags>().Select(f => (f.ToString(), (int)f)));
        Assert.Equal(
            Enum.GetValues<WellWon.Runtime.Metadata.GrainClassFlags>().Select(f => (f.ToString(), (int)f)),
            Enum.GetValues<ClassFlags>().Select(f => (f.ToString(), (int)f)));
    }

    private static InvokeFlags Flags(InterfaceModel model, string method) =>
        (InvokeFlags)Assert.Single(model.Methods, m => m.Name == method).Flags;

    private static InterfaceModel Extract(string source, string metadataName)
    {
        var compilation = GeneratorHarness.Compile(source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var symbol = compilation.GetTypeByMetadataName(metadataName);
        Assert.NotNull(symbol);
        var model = ModelExtractor.ExtractInterface(symbol, compilation, CancellationToken.None);
        Assert.NotNull(model);
        Assert.Empty(model.Diagnostics);
        return model;
    }

}
