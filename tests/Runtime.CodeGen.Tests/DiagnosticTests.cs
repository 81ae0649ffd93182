using Microsoft.CodeAnalysis;

namespace WellWon.Runtime.CodeGen.Tests;

public class DiagnosticTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "WW0001", "Count",
            "public interface IBad : IGrainWithStringKey { int Count(); }"
        },
        {
            "WW0002", "value",
            "public interface IBad : IGrainWithStringKey { Task Set(ref int value); }"
        },
        {
            "WW0002", "value",
            "public interface IBad : IGrainWithStringKey { Task Set(in int value); }"
        },
        {
            "WW0003", "Echo",
            "public interface IBad : IGrainWithStringKey { Task<T> Echo<T>(T value); }"
        },
        {
            "WW0004", "Name",
            "public interface IBad : IGrainWithStringKey { string Name { get; } }"
        },
        {
            "WW0004", "Changed",
            "public interface IBad : IGrainWithStringKey { event EventHandler Changed; }"
        },
        {
            "WW0005", "IBad",
            "public interface IBad<T> : IGrainWithStringKey { Task Set(T value); }"
        },
        {
            "WW0006", "Second",
            "[GenerateSerializer] public sealed class Bad { [Id(1)] public int First { get; set; } [Id(1)] public int Second { get; set; } }"
        },
        {
            "WW0007", "IBad",
            "public class Holder { private interface IBad : IGrainWithStringKey { Task Ping(); } }"
        },
        {
            "WW0007", "Bad",
            "public class Holder { [GenerateSerializer] protected sealed class Bad { [Id(0)] public int X { get; set; } } }"
        },
        {
            "WW0007", "Hidden",
            "[GenerateSerializer] public sealed class Bad { [Id(0)] private int Hidden { get; set; } }"
        },
        {
            "WW0007", "IBad",
            "file interface IBad : IGrainWithStringKey { Task Ping(); }"
        },
        {
            "WW0007", "BadGrain",
            """
            public interface IOk : IGrainWithStringKey { Task Ping(); }
            public class Holder { private sealed class BadGrain : Grain, IOk { public Task Ping() => Task.CompletedTask; } }
            """
        },
        {
            "WW0008", "state",
            """
            public interface IOk : IGrainWithStringKey { Task Ping(); }
            public sealed class BadGrain([PersistentState("s")] string state) : Grain, IOk { public Task Ping() => Task.FromResult(state); }
            """
        },
        {
            "WW0009", "Get",
            "public interface IBad : IGrainWithStringKey { [OneWay] Task<int> Get(); }"
        },
        {
            "WW0010", "cancellationToken",
            "public interface IBad : IGrainWithStringKey { Task Ping(CancellationToken cancellationToken); }"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_invalid_declaration_reports_its_diagnostic_at_the_offending_symbol(string id, string symbolName, string source)
    {
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(symbolName, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // Reported through a tree-less location (models must not hold syntax trees), so compare by path and span.
        Assert.Equal("Sample.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(symbolName, run.Input.SyntaxTrees.Single().GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public void An_interface_with_an_error_is_skipped_instead_of_emitting_broken_code()
    {
        var run = GeneratorHarness.Run("""
            public interface IBad : IGrainWithStringKey { Task Ok(); int Broken(); }
            public interface IGood : IGrainWithStringKey { Task Ok(); }
            """);

        Assert.Equal("WW0001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.DoesNotContain(run.Sources, s => s.HintName.Contains("IBad", StringComparison.Ordinal));
        Assert.Contains(run.Sources, s => s.HintName.Contains("IGood", StringComparison.Ordinal));
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS0535"));
    }

    [Fact]
    public void A_base_interface_error_is_reported_once_and_skips_derived_interfaces()
    {
        var run = GeneratorHarness.Run("""
            public interface IBase : IGrainWithStringKey { int Broken(); }
            public interface IDerived : IBase { Task Ok(); }
            """);

        Assert.Equal("WW0001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Proxy_", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_code_reports_no_diagnostics()
    {
        var run = GeneratorHarness.Run("""
            public interface IOk : IGrainWithStringKey { Task Ping(int x); }
            [GenerateSerializer] public sealed class Ok { [Id(0)] public int X { get; set; } [Id(1)] public int Y { get; set; } }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
    }
}
