using Microsoft.CodeAnalysis;

namespace WellWon.Runtime.CodeGen;

/// <summary>Generates grain references, request invokers, serializers, activators and the assembly manifest.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainCodeGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
