using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// The layout shared by every built-in collection codec:
/// <list type="bullet">
/// <item>a null collection is a <see cref="WireType.Null"/> header;</item>
/// <item>otherwise <see cref="WireType.StartObject"/>, then field 0 = element count as a VarInt (optional, a
/// capacity hint only: readers never trust it), then each element in order as field 1 (sequences, sets), or each
/// entry as key field 1 immediately followed by value field 2 (dictionaries), then <see cref="WireType.EndObject"/>;</item>
/// <item>elements are written by their own codec, so null elements are a field-1 Null header and round-trip;</item>
/// <item>readers skip unknown field IDs, so a later release can add fields (e.g. a comparer) without breaking old readers.</item>
/// </list>
/// <see cref="KeyValuePair{TKey, TValue}"/> and value tuples are objects with their items as fields 0..n-1.
/// </summary>
internal static class CollectionWire
{
    public const uint CountField = 0;
    public const uint ElementField = 1;
    public const uint KeyField = 1;
    public const uint ValueField = 2;

    // A forged count must not make the reader allocate gigabytes up front; past this, collections grow as elements arrive.
    private const int MaxPreallocated = 1024;

    public static void WriteCount(ref Writer writer, int count)
    {
        writer.WriteFieldHeader(CountField, WireType.VarInt);
        writer.WriteVarUInt32((uint)count);
    }

    public static int ReadCountHint(ref Reader reader, WireType wireType)
    {
        if (wireType != WireType.VarInt)
        {
            throw WireRead.Unexpected(wireType, "collection count");
        }

        return (int)Math.Min(reader.ReadVarUInt64(), MaxPreallocated);
    }

    public static void WriteSpan<T>(ref Writer writer, uint fieldId, ReadOnlySpan<T> items)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        WriteCount(ref writer, items.Length);
        var codec = Codec<T>.Instance;
        foreach (ref readonly var item in items)
        {
            codec.WriteField(ref writer, ElementField, item);
        }

        writer.WriteEndObject();
    }

    public static void WriteSequence<T>(ref Writer writer, uint fieldId, IEnumerable<T>? items)
    {
        switch (items)
        {
            case null:
                writer.WriteFieldHeader(fieldId, WireType.Null);
                return;
            case List<T> list:
                WriteSpan<T>(ref writer, fieldId, CollectionsMarshal.AsSpan(list));
                return;
            case T[] array:
                WriteSpan<T>(ref writer, fieldId, array);
                return;
        }

        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        if (items.TryGetNonEnumeratedCount(out var count))
        {
            WriteCount(ref writer, count);
        }

        var codec = Codec<T>.Instance;
        foreach (var item in items)
        {
            codec.WriteField(ref writer, ElementField, item);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a sequence into an exactly sized array; null for a Null header.</summary>
    public static T[]? ReadArray<T>(ref Reader reader, WireType wireType, Type target)
    {
        if (!WireRead.EnterClass(ref reader, wireType, target))
        {
            return null;
        }

        var codec = Codec<T>.Instance;
        T[]? items = null;
        var n = 0;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case CountField when items is null:
                    items = new T[ReadCountHint(ref reader, header.WireType)];
                    break;
                case ElementField:
                    items ??= new T[4];
                    if (n == items.Length)
                    {
                        Array.Resize(ref items, Math.Max(4, n * 2));
                    }

                    items[n++] = codec.ReadValue(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        if (items is null || n == 0)
        {
            return [];
        }

        if (n != items.Length)
        {
            Array.Resize(ref items, n);
        }

        return items;
    }

    public static List<T>? ReadList<T>(ref Reader reader, WireType wireType, Type target) =>
        ReadCollection<List<T>, T>(ref reader, wireType, target, static capacity => new List<T>(capacity));

    public static HashSet<T>? ReadHashSet<T>(ref Reader reader, WireType wireType, Type target) =>
        ReadCollection<HashSet<T>, T>(ref reader, wireType, target, static capacity => new HashSet<T>(capacity));

    // Elements are fields 1 after an optional count hint (field 0); an absent hint means "grow as you go".
    private static TCollection? ReadCollection<TCollection, T>(ref Reader reader, WireType wireType, Type target, Func<int, TCollection> create)
        where TCollection : class, ICollection<T>
    {
        if (!WireRead.EnterClass(ref reader, wireType, target))
        {
            return null;
        }

        var codec = Codec<T>.Instance;
        TCollection? items = null;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case CountField when items is null:
                    items = create(ReadCountHint(ref reader, header.WireType));
                    break;
                case ElementField:
                    (items ??= create(0)).Add(codec.ReadValue(ref reader, header.WireType));
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return items ?? create(0);
    }

    public static void WriteDictionary<TKey, TValue>(ref Writer writer, uint fieldId, IEnumerable<KeyValuePair<TKey, TValue>>? entries)
        where TKey : notnull
    {
        if (entries is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        if (entries.TryGetNonEnumeratedCount(out var count))
        {
            WriteCount(ref writer, count);
        }

        var keyCodec = Codec<TKey>.Instance;
        var valueCodec = Codec<TValue>.Instance;
        if (entries is Dictionary<TKey, TValue> dictionary)
        {
            // The struct enumerator avoids an allocation for the common case.
            foreach (var entry in dictionary)
            {
                keyCodec.WriteField(ref writer, KeyField, entry.Key);
                valueCodec.WriteField(ref writer, ValueField, entry.Value);
            }
        }
        else
        {
            foreach (var entry in entries)
            {
                keyCodec.WriteField(ref writer, KeyField, entry.Key);
                valueCodec.WriteField(ref writer, ValueField, entry.Value);
            }
        }

        writer.WriteEndObject();
    }

    public static Dictionary<TKey, TValue>? ReadDictionary<TKey, TValue>(ref Reader reader, WireType wireType, Type target)
        where TKey : notnull
    {
        if (!WireRead.EnterClass(ref reader, wireType, target))
        {
            return null;
        }

        var keyCodec = Codec<TKey>.Instance;
        var valueCodec = Codec<TValue>.Instance;
        Dictionary<TKey, TValue>? items = null;
        var hasKey = false;
        TKey key = default!;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case CountField when items is null:
                    items = new Dictionary<TKey, TValue>(ReadCountHint(ref reader, header.WireType));
                    break;
                case KeyField:
                    if (hasKey)
                    {
                        throw new WireFormatException("A dictionary key is not followed by its value.");
                    }

                    key = keyCodec.ReadValue(ref reader, header.WireType);
                    if (key is null)
                    {
                        throw new WireFormatException("A dictionary key is null.");
                    }

                    hasKey = true;
                    break;
                case ValueField:
                    if (!hasKey)
                    {
                        throw new WireFormatException("A dictionary value has no key before it.");
                    }

                    var value = valueCodec.ReadValue(ref reader, header.WireType);
                    if (!(items ??= []).TryAdd(key, value))
                    {
                        throw new WireFormatException("A dictionary key appears twice.");
                    }

                    hasKey = false;
                    key = default!;
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        if (hasKey)
        {
            throw new WireFormatException("A dictionary key is not followed by its value.");
        }

        return items ?? [];
    }
}

internal sealed class ArrayCodec<T> : IFieldCodec<T[]>
{
    public void WriteField(ref Writer writer, uint fieldId, T[] value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        CollectionWire.WriteSpan<T>(ref writer, fieldId, value);
    }

    public T[] ReadValue(ref Reader reader, WireType wireType) => CollectionWire.ReadArray<T>(ref reader, wireType, typeof(T[]))!;
}

internal sealed class ListCodec<T> : IFieldCodec<List<T>>
{
    public void WriteField(ref Writer writer, uint fieldId, List<T> value) => CollectionWire.WriteSequence(ref writer, fieldId, value);

    public List<T> ReadValue(ref Reader reader, WireType wireType) => CollectionWire.ReadList<T>(ref reader, wireType, typeof(List<T>))!;
}

/// <summary>IList, IReadOnlyList, ICollection, IReadOnlyCollection and IEnumerable of T: read back as a <see cref="List{T}"/>.</summary>
internal sealed class ListInterfaceCodec<TCollection, T> : IFieldCodec<TCollection>
    where TCollection : class, IEnumerable<T>
{
    public void WriteField(ref Writer writer, uint fieldId, TCollection value) => CollectionWire.WriteSequence(ref writer, fieldId, value);

    public TCollection ReadValue(ref Reader reader, WireType wireType) =>
        (TCollection)(object)CollectionWire.ReadList<T>(ref reader, wireType, typeof(TCollection))!;
}

internal sealed class HashSetCodec<T> : IFieldCodec<HashSet<T>>
{
    public void WriteField(ref Writer writer, uint fieldId, HashSet<T> value) => CollectionWire.WriteSequence(ref writer, fieldId, value);

    public HashSet<T> ReadValue(ref Reader reader, WireType wireType) => CollectionWire.ReadHashSet<T>(ref reader, wireType, typeof(HashSet<T>))!;
}

/// <summary>ISet and IReadOnlySet of T: read back as a <see cref="HashSet{T}"/> (the default comparer).</summary>
internal sealed class SetInterfaceCodec<TSet, T> : IFieldCodec<TSet>
    where TSet : class, IEnumerable<T>
{
    public void WriteField(ref Writer writer, uint fieldId, TSet value) => CollectionWire.WriteSequence(ref writer, fieldId, value);

    public TSet ReadValue(ref Reader reader, WireType wireType) =>
        (TSet)(object)CollectionWire.ReadHashSet<T>(ref reader, wireType, typeof(TSet))!;
}

/// <summary>Dictionaries are read back with the default comparer: a custom comparer does not travel.</summary>
internal sealed class DictionaryCodec<TKey, TValue> : IFieldCodec<Dictionary<TKey, TValue>>
    where TKey : notnull
{
    public void WriteField(ref Writer writer, uint fieldId, Dictionary<TKey, TValue> value) =>
        CollectionWire.WriteDictionary(ref writer, fieldId, value);

    public Dictionary<TKey, TValue> ReadValue(ref Reader reader, WireType wireType) =>
        CollectionWire.ReadDictionary<TKey, TValue>(ref reader, wireType, typeof(Dictionary<TKey, TValue>))!;
}

/// <summary>IDictionary and IReadOnlyDictionary: read back as a <see cref="Dictionary{TKey, TValue}"/>.</summary>
internal sealed class DictionaryInterfaceCodec<TDictionary, TKey, TValue> : IFieldCodec<TDictionary>
    where TDictionary : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    public void WriteField(ref Writer writer, uint fieldId, TDictionary value) => CollectionWire.WriteDictionary(ref writer, fieldId, value);

    public TDictionary ReadValue(ref Reader reader, WireType wireType) =>
        (TDictionary)(object)CollectionWire.ReadDictionary<TKey, TValue>(ref reader, wireType, typeof(TDictionary))!;
}

/// <summary>The default <see cref="ImmutableArray{T}"/> is written as Null and read back as default.</summary>
internal sealed class ImmutableArrayCodec<T> : IFieldCodec<ImmutableArray<T>>
{
    public void WriteField(ref Writer writer, uint fieldId, ImmutableArray<T> value)
    {
        if (value.IsDefault)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        CollectionWire.WriteSpan(ref writer, fieldId, value.AsSpan());
    }

    public ImmutableArray<T> ReadValue(ref Reader reader, WireType wireType)
    {
        var array = CollectionWire.ReadArray<T>(ref reader, wireType, typeof(ImmutableArray<T>));

        // The array is exactly sized and nobody else holds it, so it can back the immutable array without a copy.
        return array is null ? default : ImmutableCollectionsMarshal.AsImmutableArray(array);
    }
}

internal sealed class ImmutableListCodec<T> : IFieldCodec<ImmutableList<T>>
{
    public void WriteField(ref Writer writer, uint fieldId, ImmutableList<T> value) => CollectionWire.WriteSequence(ref writer, fieldId, value);

    public ImmutableList<T> ReadValue(ref Reader reader, WireType wireType)
    {
        var array = CollectionWire.ReadArray<T>(ref reader, wireType, typeof(ImmutableList<T>));
        return array is null ? null! : ImmutableList.Create(array);
    }
}

internal sealed class ImmutableDictionaryCodec<TKey, TValue> : IFieldCodec<ImmutableDictionary<TKey, TValue>>
    where TKey : notnull
{
    public void WriteField(ref Writer writer, uint fieldId, ImmutableDictionary<TKey, TValue> value) =>
        CollectionWire.WriteDictionary(ref writer, fieldId, value);

    public ImmutableDictionary<TKey, TValue> ReadValue(ref Reader reader, WireType wireType) =>
        CollectionWire.ReadDictionary<TKey, TValue>(ref reader, wireType, typeof(ImmutableDictionary<TKey, TValue>))?.ToImmutableDictionary()!;
}

/// <summary>An object: key as field 0, value as field 1.</summary>
internal sealed class KeyValuePairCodec<TKey, TValue> : IFieldCodec<KeyValuePair<TKey, TValue>>
{
    public void WriteField(ref Writer writer, uint fieldId, KeyValuePair<TKey, TValue> value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        Codec<TKey>.Instance.WriteField(ref writer, 0, value.Key);
        Codec<TValue>.Instance.WriteField(ref writer, 1, value.Value);
        writer.WriteEndObject();
    }

    public KeyValuePair<TKey, TValue> ReadValue(ref Reader reader, WireType wireType)
    {
        WireRead.EnterStruct(ref reader, wireType, typeof(KeyValuePair<TKey, TValue>));
        TKey key = default!;
        TValue value = default!;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0:
                    key = Codec<TKey>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 1:
                    value = Codec<TValue>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return new KeyValuePair<TKey, TValue>(key, value);
    }
}

/// <summary>An object: Item1 as field 0, Item2 as field 1.</summary>
internal sealed class ValueTupleCodec<T1, T2> : IFieldCodec<ValueTuple<T1, T2>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2> value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        Codec<T1>.Instance.WriteField(ref writer, 0, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 1, value.Item2);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2> ReadValue(ref Reader reader, WireType wireType)
    {
        WireRead.EnterStruct(ref reader, wireType, typeof(ValueTuple<T1, T2>));
        ValueTuple<T1, T2> result = default;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0:
                    result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 1:
                    result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return result;
    }
}

/// <summary>An object: Item1..Item3 as fields 0..2.</summary>
internal sealed class ValueTupleCodec<T1, T2, T3> : IFieldCodec<ValueTuple<T1, T2, T3>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2, T3> value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        Codec<T1>.Instance.WriteField(ref writer, 0, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 1, value.Item2);
        Codec<T3>.Instance.WriteField(ref writer, 2, value.Item3);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2, T3> ReadValue(ref Reader reader, WireType wireType)
    {
        WireRead.EnterStruct(ref reader, wireType, typeof(ValueTuple<T1, T2, T3>));
        ValueTuple<T1, T2, T3> result = default;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0:
                    result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 1:
                    result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 2:
                    result.Item3 = Codec<T3>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return result;
    }
}

/// <summary>An object: Item1..Item4 as fields 0..3.</summary>
internal sealed class ValueTupleCodec<T1, T2, T3, T4> : IFieldCodec<ValueTuple<T1, T2, T3, T4>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2, T3, T4> value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        Codec<T1>.Instance.WriteField(ref writer, 0, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 1, value.Item2);
        Codec<T3>.Instance.WriteField(ref writer, 2, value.Item3);
        Codec<T4>.Instance.WriteField(ref writer, 3, value.Item4);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2, T3, T4> ReadValue(ref Reader reader, WireType wireType)
    {
        WireRead.EnterStruct(ref reader, wireType, typeof(ValueTuple<T1, T2, T3, T4>));
        ValueTuple<T1, T2, T3, T4> result = default;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0:
                    result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 1:
                    result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 2:
                    result.Item3 = Codec<T3>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                case 3:
                    result.Item4 = Codec<T4>.Instance.ReadValue(ref reader, header.WireType);
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        return result;
    }
}
