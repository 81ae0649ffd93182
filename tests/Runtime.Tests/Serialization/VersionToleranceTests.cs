using System.Collections.Immutable;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

public class VersionToleranceTests
{
    private static PersonV2 FullV2() => new()
    {
        Name = "Grace",
        Age = 85,
        Email = "grace@example.com",
        Score = double.MaxValue,
        Rating = 1.25f,
        Home = new Address("Navy Yard", [1, 2, 3]),
        Tags = ["admiral", null!, "cobol"],
        Nickname = null,
        Visits = long.MinValue,
    };

    [Fact]
    public void A_v1_reader_skips_every_field_a_v2_writer_added()
    {
        var bytes = Serializer.Serialize(FullV2());
        var v1 = Serializer.Deserialize<PersonV1>(bytes);
        Assert.Equal("Grace", v1.Name);
        Assert.Equal(85, v1.Age);
    }

    [Theory]
    [InlineData(WireType.VarInt)]
    [InlineData(WireType.Fixed64)]
    [InlineData(WireType.LengthPrefixed)]
    [InlineData(WireType.StartObject)]
    [InlineData(WireType.Fixed32)]
    [InlineData(WireType.Null)]
    public void A_v1_reader_skips_an_unknown_field_of_each_wire_type_between_known_fields(WireType unknownType)
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 0, "Linus");
            WriteUnknownField(ref w, 99, unknownType);
            Codec<int>.Instance.WriteField(ref w, 1, 54);
            WriteUnknownField(ref w, 1000, unknownType);
            w.WriteEndObject();
        });
        var v1 = Serializer.Deserialize<PersonV1>(bytes);
        Assert.Equal("Linus", v1.Name);
        Assert.Equal(54, v1.Age);
    }

    [Fact]
    public void A_v2_reader_defaults_the_fields_a_v1_writer_did_not_know()
    {
        var bytes = Serializer.Serialize(new PersonV1 { Name = "Ken", Age = 80 });
        var v2 = Serializer.Deserialize<PersonV2>(bytes);
        Assert.Equal("Ken", v2.Name);
        Assert.Equal(80, v2.Age);
        Assert.Equal("unknown@example.com", v2.Email); // the initializer default survives a missing field
        Assert.Equal(0, v2.Score);
        Assert.Equal(0, v2.Rating);
        Assert.Null(v2.Home);
        Assert.Null(v2.Tags);
        Assert.Equal(0, v2.Visits);
    }

    [Fact]
    public void A_record_whose_fields_are_all_missing_is_constructed_with_defaults()
    {
        var address = Serializer.Deserialize<Address>(new byte[] { 0x03, 0x04 });
        Assert.Null(address.Street);
        Assert.Null(address.Floors);
    }

    [Fact]
    public void An_int_member_widened_to_long_reads_values_written_as_int_and_back()
    {
        Assert.Equal(-123L, Serializer.Deserialize<long>(Serializer.Serialize(-123)));
        Assert.Equal(-123, Serializer.Deserialize<int>(Serializer.Serialize(-123L)));
        Assert.Equal(40_000, Serializer.Deserialize<int>(Serializer.Serialize(40_000L)));
        Assert.Equal((short)-7, Serializer.Deserialize<short>(Serializer.Serialize(-7)));
        Assert.Equal(7u, Serializer.Deserialize<uint>(Serializer.Serialize((ushort)7)));
        Assert.Equal(ulong.MaxValue >> 1, Serializer.Deserialize<ulong>(Serializer.Serialize((ulong)long.MaxValue)));
    }

    [Fact]
    public void A_float_member_widened_to_double_reads_old_payloads_and_back()
    {
        Assert.Equal(1.5, Serializer.Deserialize<double>(Serializer.Serialize(1.5f)));
        Assert.Equal(2.25f, Serializer.Deserialize<float>(Serializer.Serialize(2.25)));
    }

    [Fact]
    public void A_member_made_nullable_reads_old_payloads_and_back()
    {
        Assert.Equal(5, Serializer.Deserialize<int?>(Serializer.Serialize(5)));
        Assert.Equal(5, Serializer.Deserialize<int>(Serializer.Serialize<int?>(5)));
    }

    [Fact]
    public void An_int_member_turned_into_an_enum_reads_old_payloads()
    {
        Assert.Equal(DayOfWeek.Saturday, Serializer.Deserialize<DayOfWeek>(Serializer.Serialize(6)));
        Assert.Equal(6, Serializer.Deserialize<int>(Serializer.Serialize(DayOfWeek.Saturday)));
    }

    [Fact]
    public void Every_sequence_type_reads_every_other_sequence_type()
    {
        var bytes = Serializer.Serialize(new List<int> { 3, 1, 2 });
        Assert.Equal([3, 1, 2], Serializer.Deserialize<int[]>(bytes));
        Assert.Equal([3, 1, 2], Serializer.Deserialize<IReadOnlyList<int>>(bytes));
        Assert.Equal([3, 1, 2], Serializer.Deserialize<ImmutableArray<int>>(bytes).ToArray());
        Assert.Equal([3, 1, 2], Serializer.Deserialize<ImmutableList<int>>(bytes));
        Assert.Equal(new HashSet<int> { 1, 2, 3 }, Serializer.Deserialize<HashSet<int>>(bytes));
        var dictionaryBytes = Serializer.Serialize(new Dictionary<string, int> { ["a"] = 1 });
        Assert.Equal(1, Serializer.Deserialize<ImmutableDictionary<string, int>>(dictionaryBytes)["a"]);
    }

    [Fact]
    public void A_collection_without_the_count_hint_and_with_unknown_fields_still_reads()
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            WriteUnknownField(ref w, 9, WireType.StartObject);
            Codec<int>.Instance.WriteField(ref w, 1, 10);
            WriteUnknownField(ref w, 3, WireType.LengthPrefixed);
            Codec<int>.Instance.WriteField(ref w, 1, 20);
            w.WriteEndObject();
        });
        Assert.Equal([10, 20], Serializer.Deserialize<List<int>>(bytes));
        Assert.Equal([10, 20], Serializer.Deserialize<int[]>(bytes));
    }

    [Fact]
    public void A_dictionary_with_an_unknown_field_between_entries_still_reads()
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 1, "a");
            Codec<int>.Instance.WriteField(ref w, 2, 1);
            WriteUnknownField(ref w, 7, WireType.Fixed64);
            Codec<string>.Instance.WriteField(ref w, 1, "b");
            Codec<int>.Instance.WriteField(ref w, 2, 2);
            w.WriteEndObject();
        });
        var dictionary = Serializer.Deserialize<Dictionary<string, int>>(bytes);
        Assert.Equal(2, dictionary["b"]);
    }

    [Fact]
    public void Struct_like_built_ins_skip_unknown_fields()
    {
        var offset = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            WriteUnknownField(ref w, 5, WireType.StartObject);
            w.WriteFieldHeader(1, WireType.VarInt);
            w.WriteVarInt32(60);
            w.WriteFieldHeader(0, WireType.Fixed64);
            w.WriteFixed64((ulong)new DateTime(2020, 1, 1).Ticks);
            w.WriteEndObject();
        });
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)), Serializer.Deserialize<DateTimeOffset>(offset));

        var tuple = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<int>.Instance.WriteField(ref w, 1, 2);
            WriteUnknownField(ref w, 4, WireType.VarInt);
            Codec<int>.Instance.WriteField(ref w, 0, 1);
            w.WriteEndObject();
        });
        Assert.Equal((1, 2), Serializer.Deserialize<(int, int)>(tuple));

        // A v2 tuple with a third item read as a two-item tuple.
        Assert.Equal((1, "b"), Serializer.Deserialize<(int, string)>(Serializer.Serialize((1, "b", 3.0))));
    }

    [Fact]
    public void An_exception_payload_with_unknown_fields_still_reads()
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 0, typeof(InvalidOperationException).AssemblyQualifiedName!);
            WriteUnknownField(ref w, 12, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 1, "boom");
            w.WriteEndObject();
        });
        var exception = ExceptionCodec.Deserialize(bytes);
        Assert.IsType<InvalidOperationException>(exception);
        Assert.Equal("boom", exception.Message);
    }

    private static void WriteUnknownField(ref Writer w, uint fieldId, WireType wireType)
    {
        w.WriteFieldHeader(fieldId, wireType);
        switch (wireType)
        {
            case WireType.VarInt:
                w.WriteVarUInt64(ulong.MaxValue);
                break;
            case WireType.Fixed64:
                w.WriteFixed64(0x0102030405060708);
                break;
            case WireType.Fixed32:
                w.WriteFixed32(0xFFFFFFFF);
                break;
            case WireType.LengthPrefixed:
                w.WriteString(new string('q', 5000));
                break;
            case WireType.StartObject:
                // A nested object holding every wire type, another object and a list.
                w.WriteFieldHeader(0, WireType.VarInt);
                w.WriteVarUInt32(300);
                w.WriteFieldHeader(1, WireType.Fixed32);
                w.WriteFixed32(1);
                w.WriteFieldHeader(2, WireType.Fixed64);
                w.WriteFixed64(2);
                w.WriteFieldHeader(3, WireType.LengthPrefixed);
                w.WriteString("nested");
                w.WriteFieldHeader(4, WireType.Null);
                w.WriteFieldHeader(5, WireType.StartObject);
                Codec<List<string>>.Instance.WriteField(ref w, 0, ["deep", null!]);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case WireType.Null:
                break;
        }
    }
}
