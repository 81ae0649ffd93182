using System.Collections.Immutable;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

/// <summary>Malformed bytes must surface as <see cref="WireFormatException"/> and nothing else.</summary>
public class MalformedInputTests
{
    private static void AssertMalformed<T>(byte[] payload) =>
        Assert.Throws<WireFormatException>(() => Serializer.Deserialize<T>(payload));

    private static void AssertEveryTruncationIsMalformed<T>(T value)
    {
        var payload = Serializer.Serialize(value);
        Assert.NotNull(Serializer.Deserialize<T>(payload)); // the complete payload is valid
        for (var length = 0; length < payload.Length; length++)
        {
            var truncated = payload[..length];
            var e = Record.Exception(() => Serializer.Deserialize<T>(truncated));
            Assert.True(e is WireFormatException, $"Truncated at {length} of {payload.Length}: {e?.GetType().Name ?? "no exception"}");
        }
    }

    private static byte[] ThrownExceptionPayload()
    {
        try
        {
            try
            {
                throw new ArgumentOutOfRangeException("count", "inner failure");
            }
            catch (Exception inner)
            {
                throw new InvalidOperationException("outer failure", inner);
            }
        }
        catch (Exception e)
        {
            return ExceptionCodec.Serialize(e);
        }
    }

    [Fact]
    public void A_payload_truncated_at_any_byte_throws_a_wire_format_exception()
    {
        AssertEveryTruncationIsMalformed(new PersonV2
        {
            Name = "Grace",
            Age = 85,
            Score = 1.5,
            Rating = 2.5f,
            Home = new Address("Navy Yard", [1, 300, -70000]),
            Tags = ["a", null!],
            Visits = long.MinValue,
        });
        AssertEveryTruncationIsMalformed(new Dictionary<string, List<int?>> { ["é€😀"] = [1, null, int.MinValue], ["b"] = [] });
        AssertEveryTruncationIsMalformed(new Order { Id = "o1", Lines = [new OrderLine { Product = "p", Price = 1.25m }], Tags = new() { ["t"] = [1] } });
        AssertEveryTruncationIsMalformed((Guid.NewGuid(), DateTimeOffset.Now, decimal.MaxValue, new Version(1, 2, 3)));
        AssertEveryTruncationIsMalformed(new string('x', 5000));
        AssertEveryTruncationIsMalformed(ImmutableArray.Create(DateTime.UtcNow, DateTime.MinValue));
        AssertEveryTruncationIsMalformed(new KeyValuePair<TimeSpan, Uri>(TimeSpan.MaxValue, new Uri("https://example.com/")));
    }

    [Fact]
    public void An_exception_payload_truncated_at_any_byte_throws_a_wire_format_exception()
    {
        var payload = ThrownExceptionPayload();
        Assert.IsType<InvalidOperationException>(ExceptionCodec.Deserialize(payload));
        for (var length = 0; length < payload.Length; length++)
        {
            var truncated = payload[..length];
            Assert.Throws<WireFormatException>(() => ExceptionCodec.Deserialize(truncated));
        }
    }

    [Fact]
    public void Corrupting_any_byte_of_a_payload_either_reads_or_throws_a_wire_format_exception()
    {
        var payloads = new (byte[] Bytes, Action<byte[]> Read)[]
        {
            (Serializer.Serialize(new PersonV2 { Name = "n", Home = new Address("s", [1]), Tags = ["t"] }), b => Serializer.Deserialize<PersonV2>(b)),
            (Serializer.Serialize(new Dictionary<string, int[]> { ["k"] = [1, 2], ["l"] = [] }), b => Serializer.Deserialize<Dictionary<string, int[]>>(b)),
            (Serializer.Serialize((1.5m, DateTimeOffset.UnixEpoch, DateTime.UtcNow, RoundTripTests.SByteEnum.Max)), b => Serializer.Deserialize<(decimal, DateTimeOffset, DateTime, RoundTripTests.SByteEnum)>(b)),
            (Serializer.Serialize(new Version(1, 2)), b => Serializer.Deserialize<Version>(b)),
            (ThrownExceptionPayload(), b => ExceptionCodec.Deserialize(b)),
        };
        byte[] replacements = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0F, 0x7F, 0x80, 0xFF];
        foreach (var (bytes, read) in payloads)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                foreach (var replacement in replacements)
                {
                    var corrupted = (byte[])bytes.Clone();
                    corrupted[i] = replacement;
                    var e = Record.Exception(() => read(corrupted));
                    Assert.True(e is null or WireFormatException, $"Byte {i} set to 0x{replacement:X2}: {e}");
                }
            }
        }
    }

    [Fact]
    public void Random_bytes_either_read_or_throw_a_wire_format_exception()
    {
        var random = new Random(20261121);
        for (var n = 0; n < 5000; n++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[0] = 0x03; // start with an object to get past the root header more often
            }

            foreach (var read in new Action[]
            {
                () => Serializer.Deserialize<PersonV2>(bytes),
                () => Serializer.Deserialize<Dictionary<int, string>>(bytes),
                () => Serializer.Deserialize<List<(long, double?)>>(bytes),
                () => ExceptionCodec.Deserialize(bytes),
            })
            {
                var e = Record.Exception(read);
                Assert.True(e is null or WireFormatException, $"{Convert.ToHexString(bytes)}: {e}");
            }
        }
    }

    [Fact]
    public void A_length_running_past_the_end_throws()
    {
        AssertMalformed<string>([0x02, 0x05, (byte)'a']);
        AssertMalformed<byte[]>([0x02, 0x05, 1, 2]);
        AssertMalformed<string>([0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, (byte)'a']);
        AssertMalformed<PersonV1>([0x03, 0x02, 0x7F, 0x04]);
    }

    [Fact]
    public void The_unknown_wire_type_7_throws_at_the_root_and_inside_objects_and_collections()
    {
        AssertMalformed<int>([0x07]);
        AssertMalformed<PersonV1>([0x03, 0x0F, 0x04]);
        AssertMalformed<List<int>>([0x03, 0x08, 0x02, 0x3F, 0x04]);
        AssertMalformed<PersonV1>([0x03, 0x4B, 0x0F, 0x04, 0x04]); // inside an unknown nested object being skipped
    }

    [Fact]
    public void Nesting_up_to_max_depth_reads_and_one_level_deeper_throws()
    {
        Assert.Equal(Reader.MaxDepth, Depth(Serializer.Deserialize<Node>(NestedNodes(Reader.MaxDepth))));
        AssertMalformed<Node>(NestedNodes(Reader.MaxDepth + 1));
        AssertMalformed<Node>(NestedNodes(10_000));
    }

    [Fact]
    public void Unknown_fields_nested_deeper_than_max_depth_throw_while_being_skipped()
    {
        var bytes = new List<byte> { 0x03 };
        for (var i = 0; i < Reader.MaxDepth + 5; i++)
        {
            bytes.Add(0x4B); // field 9, StartObject
        }

        bytes.AddRange(Enumerable.Repeat((byte)0x04, Reader.MaxDepth + 6));
        AssertMalformed<PersonV1>([.. bytes]);
        bytes[0] = 0x03;
        AssertMalformed<List<int>>([.. bytes]);
        AssertMalformed<Dictionary<int, int>>([.. bytes]);
    }

    [Fact]
    public void A_varint_longer_than_ten_bytes_throws()
    {
        AssertMalformed<long>([0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        AssertMalformed<int>([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    }

    [Fact]
    public void A_root_that_is_not_exactly_one_field_0_throws()
    {
        AssertMalformed<int>([]);
        AssertMalformed<int>([0x08, 0x02]);
        AssertMalformed<int>([0x04]);
        AssertMalformed<int>([0x00, 0x02, 0x00]);
        AssertMalformed<string>([0x06, 0x06]);
    }

    [Fact]
    public void A_null_where_a_value_type_is_expected_throws()
    {
        AssertMalformed<int>([0x06]);
        AssertMalformed<double>([0x06]);
        AssertMalformed<Guid>([0x06]);
        AssertMalformed<DateTimeOffset>([0x06]);
        AssertMalformed<(int, int)>([0x06]);
        AssertMalformed<KeyValuePair<int, int>>([0x06]);
        AssertMalformed<DayOfWeek>([0x06]);
        AssertMalformed<List<int>>([0x03, 0x0E, 0x04]);
    }

    [Fact]
    public void A_clearly_wrong_wire_type_throws()
    {
        AssertMalformed<int>([0x05, 0, 0, 0, 0]);
        AssertMalformed<string>([0x00, 0x01]);
        AssertMalformed<List<int>>([0x02, 0x00]);
        AssertMalformed<double>([0x00, 0x01]);
        AssertMalformed<bool>([0x02, 0x00]);
        AssertMalformed<List<int>>([0x03, 0x02, 0x00, 0x04]); // a length-prefixed count
        AssertMalformed<Exception>([0x02, 0x00]);
        AssertMalformed<DateTime>([0x00, 0x00]);
    }

    [Fact]
    public void Values_out_of_range_of_the_target_type_throw()
    {
        AssertMalformed<int>(Serializer.Serialize(long.MaxValue));
        AssertMalformed<byte>(Serializer.Serialize(256));
        AssertMalformed<short>(Serializer.Serialize(-40_000));
        AssertMalformed<char>(Serializer.Serialize(70_000u));
        AssertMalformed<uint>(Serializer.Serialize(ulong.MaxValue));
        AssertMalformed<RoundTripTests.SByteEnum>(Serializer.Serialize(200));
        AssertMalformed<RoundTripTests.ByteEnum>(Serializer.Serialize(-1));
        AssertMalformed<DateOnly>(Serializer.Serialize(int.MaxValue));
        AssertMalformed<TimeOnly>(Serializer.Serialize(ulong.MaxValue));
        AssertMalformed<DateTime>(Wire.Concat([0x01], BitConverter.GetBytes(3UL << 62)));
        AssertMalformed<DateTime>(Wire.Concat([0x01], BitConverter.GetBytes((ulong)DateTime.MaxValue.Ticks + 1)));
        AssertMalformed<DateTimeOffset>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            w.WriteFieldHeader(1, WireType.VarInt);
            w.WriteVarInt32(15 * 60);
            w.WriteEndObject();
        }));
        AssertMalformed<DateTimeOffset>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            w.WriteFieldHeader(0, WireType.Fixed64);
            w.WriteFixed64(0);
            w.WriteFieldHeader(1, WireType.VarInt);
            w.WriteVarInt32(60); // 00:00 at +01:00 is before DateTimeOffset.MinValue in UTC
            w.WriteEndObject();
        }));
    }

    [Fact]
    public void Fixed_size_values_with_the_wrong_length_or_invalid_bits_throw()
    {
        AssertMalformed<Guid>([0x02, 0x0F, .. new byte[15]]);
        AssertMalformed<decimal>([0x02, 0x0F, .. new byte[15]]);
        byte[] badScale = [0x02, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 29, 0]; // scale 29 > 28
        AssertMalformed<decimal>(badScale);
        AssertMalformed<Version>(Serializer.Serialize("not.a.version"));
    }

    [Fact]
    public void Dictionaries_with_unpaired_null_or_duplicate_keys_throw()
    {
        AssertMalformed<Dictionary<string, int>>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 1, "a");
            w.WriteEndObject();
        }));
        AssertMalformed<Dictionary<string, int>>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<int>.Instance.WriteField(ref w, 2, 1);
            w.WriteEndObject();
        }));
        AssertMalformed<Dictionary<string, int>>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 1, "a");
            Codec<string>.Instance.WriteField(ref w, 1, "b");
            Codec<int>.Instance.WriteField(ref w, 2, 1);
            w.WriteEndObject();
        }));
        AssertMalformed<Dictionary<string, int>>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            w.WriteFieldHeader(1, WireType.Null);
            Codec<int>.Instance.WriteField(ref w, 2, 1);
            w.WriteEndObject();
        }));
        AssertMalformed<IReadOnlyDictionary<string, int>>(Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            for (var i = 0; i < 2; i++)
            {
                Codec<string>.Instance.WriteField(ref w, 1, "same");
                Codec<int>.Instance.WriteField(ref w, 2, i);
            }

            w.WriteEndObject();
        }));
    }

    [Fact]
    public void A_forged_huge_count_does_not_allocate_up_front()
    {
        byte[] bytes = [0x03, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x08, 0x02, 0x04];
        Assert.Equal([1], Serializer.Deserialize<List<int>>(bytes));
        Assert.Equal([1], Serializer.Deserialize<int[]>(bytes));
        Assert.Equal([1], Serializer.Deserialize<HashSet<int>>(bytes));
    }

    [Fact]
    public void An_exception_payload_that_is_null_or_not_field_0_throws()
    {
        Assert.Throws<WireFormatException>(() => ExceptionCodec.Deserialize([0x06]));
        Assert.Throws<WireFormatException>(() => ExceptionCodec.Deserialize([0x0B, 0x04]));
        Assert.Throws<WireFormatException>(() => ExceptionCodec.Deserialize([0x03, 0x04, 0x00]));
    }

    private static byte[] NestedNodes(int depth)
    {
        var bytes = new List<byte> { 0x03 };
        for (var i = 1; i < depth; i++)
        {
            bytes.Add(0x0B); // field 1 (Next), StartObject
        }

        bytes.AddRange(Enumerable.Repeat((byte)0x04, depth));
        return [.. bytes];
    }

    private static int Depth(Node? node)
    {
        var depth = 0;
        for (; node is not null; node = node.Next)
        {
            depth++;
        }

        return depth;
    }
}
