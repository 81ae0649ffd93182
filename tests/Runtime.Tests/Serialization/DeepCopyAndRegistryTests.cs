using System.Buffers;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

public class DeepCopyTests
{
    private static Order SampleOrder() => new()
    {
        Id = "o-1",
        Lines = [new OrderLine { Product = "tea", Price = 2.50m }, new OrderLine { Product = "cake", Price = 4m }],
        Tags = new() { ["gift"] = [1, 2], ["rush"] = [] },
    };

    [Fact]
    public void A_deep_copy_is_equal_but_shares_no_mutable_object_with_the_original()
    {
        var original = SampleOrder();
        var copy = Serializer.DeepCopy(original);

        Assert.NotSame(original, copy);
        Assert.NotSame(original.Lines, copy.Lines);
        Assert.NotSame(original.Lines![0], copy.Lines![0]);
        Assert.NotSame(original.Tags, copy.Tags);
        Assert.NotSame(original.Tags!["gift"], copy.Tags!["gift"]);
        Assert.Equal(original.Id, copy.Id);
        Assert.Equal(original.Lines.Select(l => (l.Product, l.Price)), copy.Lines.Select(l => (l.Product, l.Price)));
        Assert.Equal(original.Tags["gift"], copy.Tags["gift"]);
    }

    [Fact]
    public void Mutating_a_deep_copy_leaves_the_original_unchanged()
    {
        var original = SampleOrder();
        var copy = Serializer.DeepCopy(original);

        copy.Id = "changed";
        copy.Lines![0].Price = 99m;
        copy.Lines.Add(new OrderLine { Product = "extra" });
        copy.Tags!["gift"][0] = 1000;
        copy.Tags.Remove("rush");

        Assert.Equal(SampleOrder().Id, original.Id);
        Assert.Equal(2.50m, original.Lines![0].Price);
        Assert.Equal(2, original.Lines.Count);
        Assert.Equal([1, 2], original.Tags!["gift"]);
        Assert.True(original.Tags.ContainsKey("rush"));
    }

    [Fact]
    public void Deep_copies_of_collections_are_distinct()
    {
        var list = new List<List<int>> { new() { 1 } };
        var copy = Serializer.DeepCopy(list);
        copy[0].Add(2);
        Assert.Equal([1], list[0]);
        Assert.Equal([1, 2], copy[0]);
    }

    [Fact]
    public void Immutable_values_are_not_copied()
    {
        var text = new string('x', 10);
        Assert.Same(text, Serializer.DeepCopy(text));
        var uri = new Uri("https://example.com");
        Assert.Same(uri, Serializer.DeepCopy(uri));
        Assert.Equal(5, Serializer.DeepCopy(5));
        Assert.Equal(DayOfWeek.Monday, Serializer.DeepCopy(DayOfWeek.Monday));
        Assert.Null(Serializer.DeepCopy<Order?>(null));
    }
}

public class CodecRegistryTests
{
    [Fact]
    public void A_type_without_a_codec_throws_codec_not_found_every_time_until_one_is_registered()
    {
        Assert.Throws<CodecNotFoundException>(() => Codec<LateRegistered>.Instance);
        var e = Assert.Throws<CodecNotFoundException>(() => CodecRegistry.Resolve<LateRegistered>());
        Assert.Equal(typeof(LateRegistered), e.Type);

        CodecRegistry.Register(new LateRegisteredCodec());
        Assert.IsType<LateRegisteredCodec>(Codec<LateRegistered>.Instance);
        Assert.Equal(7, Wire.RoundTrip(new LateRegistered { Value = 7 }).Value);
    }

    [Fact]
    public void The_first_registration_of_a_type_wins()
    {
        var first = new FirstWinsCodec();
        CodecRegistry.Register<FirstWins>(first);
        CodecRegistry.Register<FirstWins>(new FirstWinsCodec());
        Assert.Same(first, CodecRegistry.Resolve<FirstWins>());
    }

    [Fact]
    public void Generated_codecs_are_found_through_the_assembly_manifest_on_first_miss()
    {
        Assert.IsType<PersonV1Codec>(CodecRegistry.Resolve<PersonV1>());
    }

    [Fact]
    public void A_closed_generic_codec_is_created_once_and_cached()
    {
        var first = CodecRegistry.Resolve<Box<Guid>>();
        Assert.IsType<BoxCodec<Guid>>(first);
        Assert.Same(first, CodecRegistry.Resolve<Box<Guid>>());
    }

    [Fact]
    public void Registering_a_generic_codec_of_a_different_arity_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => CodecRegistry.RegisterGeneric(typeof(Dictionary<,>), typeof(BoxCodec<>)));
        Assert.Throws<ArgumentException>(() => CodecRegistry.RegisterGeneric(typeof(List<int>), typeof(BoxCodec<>)));
    }

    [Fact]
    public void Grain_interfaces_resolve_to_the_grain_reference_codec()
    {
        Assert.IsType<GrainReferenceCodec<ITestChatGrain>>(CodecRegistry.Resolve<ITestChatGrain>());
    }

    [Fact]
    public void Unsupported_types_are_reported_rather_than_guessed()
    {
        Assert.Throws<CodecNotFoundException>(() => CodecRegistry.Resolve<object>());
        Assert.Throws<CodecNotFoundException>(() => CodecRegistry.Resolve<int[,]>());
        Assert.Throws<CodecNotFoundException>(() => CodecRegistry.Resolve<IComparable>());
        Assert.Throws<CodecNotFoundException>(() => Serializer.Serialize(new LinkedList<int>()));
    }

    [Fact]
    public void Concurrent_resolution_yields_one_working_codec_per_type()
    {
        var codecs = new IFieldCodec<Dictionary<ulong, List<DayOfWeek?>>>[64];
        Parallel.For(0, codecs.Length, i => codecs[i] = CodecRegistry.Resolve<Dictionary<ulong, List<DayOfWeek?>>>());
        Assert.All(codecs, Assert.NotNull);
        var value = new Dictionary<ulong, List<DayOfWeek?>> { [1] = [DayOfWeek.Sunday, null] };
        Assert.Equal(value[1], Wire.RoundTrip(value)[1]);
    }

    public interface ITestChatGrain : IGrainWithStringKey;

    public sealed class LateRegistered
    {
        public int Value { get; set; }
    }

    public sealed class FirstWins;

    private sealed class LateRegisteredCodec : ObjectCodec<LateRegistered>
    {
        protected override void WriteMembers(ref Writer writer, LateRegistered value) => Codec<int>.Instance.WriteField(ref writer, 0, value.Value);

        protected override object CreateState() => new LateRegistered();

        protected override bool ReadMember(ref Reader reader, FieldHeader header, object state)
        {
            if (header.FieldId != 0)
            {
                return false;
            }

            ((LateRegistered)state).Value = Codec<int>.Instance.ReadValue(ref reader, header.WireType);
            return true;
        }
    }

    private sealed class FirstWinsCodec : ObjectCodec<FirstWins>
    {
        protected override void WriteMembers(ref Writer writer, FirstWins value)
        {
        }

        protected override object CreateState() => new FirstWins();

        protected override bool ReadMember(ref Reader reader, FieldHeader header, object state) => false;
    }
}

public class PooledBufferWriterTests
{
    [Fact]
    public void It_grows_past_its_initial_capacity_and_keeps_what_was_written()
    {
        using var buffer = new PooledBufferWriter(16);
        var expected = new List<byte>();
        for (var i = 0; i < 10_000; i++)
        {
            var span = buffer.GetSpan(3);
            span[0] = (byte)i;
            span[1] = (byte)(i >> 8);
            buffer.Advance(2);
            expected.Add((byte)i);
            expected.Add((byte)(i >> 8));
        }

        Assert.Equal(expected.ToArray(), buffer.WrittenSpan.ToArray());
        Assert.Equal(expected.ToArray(), buffer.WrittenMemory.ToArray());
        Assert.Equal(20_000, buffer.WrittenCount);
    }

    [Fact]
    public void Reset_forgets_the_written_bytes_but_stays_usable()
    {
        using var buffer = new PooledBufferWriter();
        Serializer.Serialize("abc", buffer);
        buffer.Reset();
        Assert.Equal(0, buffer.WrittenCount);
        Serializer.Serialize(1, buffer);
        Assert.Equal(new byte[] { 0x00, 0x02 }, buffer.ToArray());
    }

    [Fact]
    public void Advancing_past_the_obtained_span_or_using_it_after_dispose_throws()
    {
        var buffer = new PooledBufferWriter();
        var length = buffer.GetSpan().Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
        buffer.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.GetSpan());
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void A_large_payload_serializes_through_the_pooled_writer()
    {
        var big = Enumerable.Range(0, 100_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var buffer = new PooledBufferWriter();
        Serializer.Serialize(big, buffer);
        Assert.Equal(big, Serializer.Deserialize<List<string>>(buffer.WrittenSpan));
        IBufferWriter<byte> asInterface = buffer;
        Assert.True(asInterface.GetMemory(10).Length >= 10);
    }
}
