using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace WellWon.Runtime.CodeGen;

/// <summary>Errors for declarations the generator cannot turn into working code (docs/codegen.md).</summary>
internal static class Diagnostics
{
    private const string Category = "WellWon.CodeGen";

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Create(
        "WW0001",
        "Unsupported grain method return type",
        "Method '{0}' of grain interface '{1}' returns '{2}'; grain methods must return Task, Task<T>, ValueTask or ValueTask<T>");

    public static readonly DiagnosticDescriptor ByRefParameter = Create(
        "WW0002",
        "By-reference parameter on a grain method",
        "Parameter '{0}' of method '{1}' on grain interface '{2}' is passed by reference ({3}); grain method arguments are sent as messages and must be passed by value");

    public static readonly DiagnosticDescriptor GenericMethod = Create(
        "WW0003",
        "Generic grain method",
        "Method '{0}' of grain interface '{1}' is generic; generic grain methods are not supported");

    public static readonly DiagnosticDescriptor PropertyOrEvent = Create(
        "WW0004",
        "Property, indexer or event on a grain interface",
        "Grain interface '{0}' declares {1} '{2}'; grain interfaces may only declare methods");

    public static readonly DiagnosticDescriptor GenericInterface = Create(
        "WW0005",
        "Generic grain interface",
        "Grain interface '{0}' is generic (or nested in a generic type); generic grain interfaces are not supported");

    public static readonly DiagnosticDescriptor DuplicateId = Create(
        "WW0006",
        "Duplicate serialization ID",
        "Members '{0}' and '{1}' of serializable type '{2}' share [Id({3})]; each member needs its own ID");

    public static readonly DiagnosticDescriptor Inaccessible = Create(
        "WW0007",
        "Declaration not accessible to generated code",
        "{0} '{1}' is not accessible to generated code; make it public or internal (and its containing types too)");

    public static readonly DiagnosticDescriptor PersistentStateType = Create(
        "WW0008",
        "[PersistentState] on a parameter that is not IPersistentState<T>",
        "Parameter '{0}' of grain class '{1}' has [PersistentState] but its type is '{2}'; use IPersistentState<T>");

    public static readonly DiagnosticDescriptor OneWayWithResult = Create(
        "WW0009",
        "[OneWay] method returns a value",
        "Method '{0}' of grain interface '{1}' is [OneWay] but returns '{2}'; one-way methods must return Task or ValueTask");

    public static readonly DiagnosticDescriptor CancellationTokenParameter = Create(
        "WW0010",
        "CancellationToken parameter on a grain method",
        "Parameter '{0}' of method '{1}' on grain interface '{2}' is a CancellationToken; cancellation tokens are not supported on grain methods yet");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
    {
        UnsupportedReturnType, ByRefParameter, GenericMethod, PropertyOrEvent, GenericInterface,
        DuplicateId, Inaccessible, PersistentStateType, OneWayWithResult, CancellationTokenParameter,
    }.ToDictionary(d => d.Id, StringComparer.Ordinal);

    /// <summary>Models carry only the ID (descriptors are not equatable data); this maps it back.</summary>
    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
