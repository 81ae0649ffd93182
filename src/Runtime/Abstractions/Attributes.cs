namespace WellWon.Runtime;

/// <summary>Requests to this grain class may interleave at await points (still one thread at a time).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>This interface method may interleave with any other request of the grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>This interface method does not change grain state: read-only requests interleave with each other, never with a write.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>The caller does not wait for this method: its task completes when the request is sent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>
/// The grain keeps no identity-bound state: each silo runs a small local pool of activations per key
/// instead of one cluster-wide activation.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StatelessWorkerAttribute(int maxLocalWorkers = 0) : Attribute
{
    /// <summary>Activations per key per silo; 0 means the number of processors.</summary>
    public int MaxLocalWorkers { get; } = maxLocalWorkers;
}

/// <summary>Overrides the idle collection age for one grain class.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CollectionAgeLimitAttribute(double minutes) : Attribute
{
    /// <summary>Minutes of idleness after which an activation is collected.</summary>
    public double Minutes { get; } = minutes;
}

/// <summary>
/// Values of this type are never mutated after construction, so the runtime passes them across a call
/// boundary without copying.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Parameter | AttributeTargets.ReturnValue, Inherited = false)]
public sealed class ImmutableAttribute : Attribute;

/// <summary>Asks the code generator for a version-tolerant codec for this type; members to serialize carry <see cref="IdAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class GenerateSerializerAttribute : Attribute;

/// <summary>
/// The stable field number of a serialized member (property, field or record parameter). Never reuse a number
/// for a different meaning: that is what keeps old and new silos able to read each other's payloads.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class IdAttribute(uint id) : Attribute
{
    /// <summary>The field number.</summary>
    public uint Id { get; } = id;
}

/// <summary>
/// A stable name for a grain interface (its grain type) or a method, used on the wire instead of the
/// C# name so renames do not break rolling upgrades.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method)]
public sealed class AliasAttribute(string alias) : Attribute
{
    /// <summary>The stable name.</summary>
    public string Alias { get; } = alias;
}
