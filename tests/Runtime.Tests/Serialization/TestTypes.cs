using System.Buffers;
using WellWon.Runtime.Metadata;
using WellWon.Runtime.Serialization;
using WellWon.Runtime.Tests.Serialization;

// The generator is a stub in this branch, so the test types' codecs are hand-written in the generated shape
// and published the way generated code is: through an assembly-level manifest the registry loads on a miss.
[assembly: GeneratedManifest(typeof(SerializationTestManifest))]

namespace WellWon.Runtime.Tests.Serialization;

internal delegate void WriteAction(ref Writer writer);

internal static class Wire
{
    public static byte[] Write(WriteAction action)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Writer(buffer);
        action(ref writer);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }

    public static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.Serialize(value));

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

internal sealed class SerializationTestManifest : IGeneratedManifest
{
    public void Register(IManifestBuilder builder)
    {
        builder.AddCodec(new PersonV1Codec());
        builder.AddCodec(new PersonV2Codec());
        builder.AddCodec(new AddressCodec());
        builder.AddCodec(new NodeCodec());
        builder.AddCodec(new OrderCodec());
        builder.AddCodec(new OrderLineCodec());
        builder.AddGenericCodec(typeof(Box<>), typeof(BoxCodec<>));
    }
}

public sealed class PersonV1
{
    public string? Name { get; set; }

    public int Age { get; set; }
}

/// <summary>The next release of <see cref="PersonV1"/>: same IDs 0 and 1, plus fields of every wire type.</summary>
public sealed class PersonV2
{
    public string? Name { get; set; }

    public int Age { get; set; }

    public string Email { get; set; } = "unknown@example.com";

    public double Score { get; set; }

    public float Rating { get; set; }

    public Address? Home { get; set; }

    public List<string>? Tags { get; set; }

    public string? Nickname { get; set; }

    public long Visits { get; set; }
}

public sealed record Address(string? Street, List<int>? Floors);

public sealed class Node
{
    public int Value { get; set; }

    public Node? Next { get; set; }
}

public sealed class Order
{
    public string? Id { get; set; }

    public List<OrderLine>? Lines { get; set; }

    public Dictionary<string, int[]>? Tags { get; set; }
}

public sealed class OrderLine
{
    public string? Product { get; set; }

    public decimal Price { get; set; }
}

public readonly record struct Box<T>(T Value);

/// <summary>Shared read loop of the hand-written object codecs, in the generated shape.</summary>
internal abstract class ObjectCodec<T> : IFieldCodec<T>
    where T : class
{
    public void WriteField(ref Writer writer, uint fieldId, T value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        WriteMembers(ref writer, value);
        writer.WriteEndObject();
    }

    public T ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }

        Reader.Expect(wireType, WireType.StartObject);
        reader.EnterObject();
        var state = CreateState();
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            if (!ReadMember(ref reader, header, state))
            {
                reader.SkipField(header.WireType);
            }
        }

        reader.ExitObject();
        return Complete(state);
    }

    protected abstract void WriteMembers(ref Writer writer, T value);

    protected abstract object CreateState();

    protected abstract bool ReadMember(ref Reader reader, FieldHeader header, object state);

    protected virtual T Complete(object state) => (T)state;
}

internal sealed class PersonV1Codec : ObjectCodec<PersonV1>
{
    protected override void WriteMembers(ref Writer writer, PersonV1 value)
    {
        Codec<string>.Instance.WriteField(ref writer, 0, value.Name!);
        Codec<int>.Instance.WriteField(ref writer, 1, value.Age);
    }

    protected override object CreateState() => new PersonV1();

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var p = (PersonV1)state;
        switch (header.FieldId)
        {
            case 0: p.Name = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: p.Age = Codec<int>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }
}

internal sealed class PersonV2Codec : ObjectCodec<PersonV2>
{
    protected override void WriteMembers(ref Writer writer, PersonV2 value)
    {
        Codec<string>.Instance.WriteField(ref writer, 0, value.Name!);
        Codec<int>.Instance.WriteField(ref writer, 1, value.Age);
        Codec<string>.Instance.WriteField(ref writer, 2, value.Email);
        Codec<double>.Instance.WriteField(ref writer, 3, value.Score);
        Codec<float>.Instance.WriteField(ref writer, 4, value.Rating);
        Codec<Address>.Instance.WriteField(ref writer, 5, value.Home!);
        Codec<List<string>>.Instance.WriteField(ref writer, 6, value.Tags!);
        Codec<string>.Instance.WriteField(ref writer, 7, value.Nickname!);
        Codec<long>.Instance.WriteField(ref writer, 8, value.Visits);
    }

    protected override object CreateState() => new PersonV2();

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var p = (PersonV2)state;
        switch (header.FieldId)
        {
            case 0: p.Name = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: p.Age = Codec<int>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 2: p.Email = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 3: p.Score = Codec<double>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 4: p.Rating = Codec<float>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 5: p.Home = Codec<Address>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 6: p.Tags = Codec<List<string>>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 7: p.Nickname = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 8: p.Visits = Codec<long>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }
}

/// <summary>A positional record: members are collected first and passed to the constructor, as generated code does.</summary>
internal sealed class AddressCodec : ObjectCodec<Address>
{
    protected override void WriteMembers(ref Writer writer, Address value)
    {
        Codec<string>.Instance.WriteField(ref writer, 0, value.Street!);
        Codec<List<int>>.Instance.WriteField(ref writer, 1, value.Floors!);
    }

    protected override object CreateState() => new object?[2];

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var values = (object?[])state;
        switch (header.FieldId)
        {
            case 0: values[0] = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: values[1] = Codec<List<int>>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }

    protected override Address Complete(object state)
    {
        var values = (object?[])state;
        return new Address((string?)values[0], (List<int>?)values[1]);
    }
}

internal sealed class NodeCodec : ObjectCodec<Node>
{
    protected override void WriteMembers(ref Writer writer, Node value)
    {
        Codec<int>.Instance.WriteField(ref writer, 0, value.Value);
        Codec<Node>.Instance.WriteField(ref writer, 1, value.Next!);
    }

    protected override object CreateState() => new Node();

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var n = (Node)state;
        switch (header.FieldId)
        {
            case 0: n.Value = Codec<int>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: n.Next = Codec<Node>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }
}

internal sealed class OrderCodec : ObjectCodec<Order>
{
    protected override void WriteMembers(ref Writer writer, Order value)
    {
        Codec<string>.Instance.WriteField(ref writer, 0, value.Id!);
        Codec<List<OrderLine>>.Instance.WriteField(ref writer, 1, value.Lines!);
        Codec<Dictionary<string, int[]>>.Instance.WriteField(ref writer, 2, value.Tags!);
    }

    protected override object CreateState() => new Order();

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var o = (Order)state;
        switch (header.FieldId)
        {
            case 0: o.Id = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: o.Lines = Codec<List<OrderLine>>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 2: o.Tags = Codec<Dictionary<string, int[]>>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }
}

internal sealed class OrderLineCodec : ObjectCodec<OrderLine>
{
    protected override void WriteMembers(ref Writer writer, OrderLine value)
    {
        Codec<string>.Instance.WriteField(ref writer, 0, value.Product!);
        Codec<decimal>.Instance.WriteField(ref writer, 1, value.Price);
    }

    protected override object CreateState() => new OrderLine();

    protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
    {
        var l = (OrderLine)state;
        switch (header.FieldId)
        {
            case 0: l.Product = Codec<string>.Instance.ReadValue(ref reader, header.WireType); return true;
            case 1: l.Price = Codec<decimal>.Instance.ReadValue(ref reader, header.WireType); return true;
            default: return false;
        }
    }
}

/// <summary>An open generic codec, closed by the registry on demand (what the generator emits for generic types).</summary>
internal sealed class BoxCodec<T> : IFieldCodec<Box<T>>
{
    public void WriteField(ref Writer writer, uint fieldId, Box<T> value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        Codec<T>.Instance.WriteField(ref writer, 0, value.Value);
        writer.WriteEndObject();
    }

    public Box<T> ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            throw new WireFormatException("Box is a value type.");
        }

        Reader.Expect(wireType, WireType.StartObject);
        reader.EnterObject();
        T value = default!;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            if (header.FieldId == 0)
            {
                value = Codec<T>.Instance.ReadValue(ref reader, header.WireType);
            }
            else
            {
                reader.SkipField(header.WireType);
            }
        }

        reader.ExitObject();
        return new Box<T>(value);
    }
}
