using System.Text;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

/// <summary>Exact bytes: these pin the wire format, so a change here is a protocol break.</summary>
public class ProtocolTests
{
    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(1u, new byte[] { 0x01 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Unsigned_varints_are_little_endian_base_128(uint value, byte[] expected)
    {
        Assert.Equal(expected, Wire.Write((ref Writer w) => w.WriteVarUInt32(value)));
        Assert.Equal(expected, Wire.Write((ref Writer w) => w.WriteVarUInt64(value)));
        var reader = new Reader(expected);
        Assert.Equal(value, reader.ReadVarUInt32());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(150, new byte[] { 0xAC, 0x02 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Signed_varints_are_zigzag_encoded(int value, byte[] expected)
    {
        Assert.Equal(expected, Wire.Write((ref Writer w) => w.WriteVarInt32(value)));
        Assert.Equal(expected, Wire.Write((ref Writer w) => w.WriteVarInt64(value)));
        var reader = new Reader(expected);
        Assert.Equal(value, reader.ReadVarInt32());
    }

    [Fact]
    public void Long_min_value_zigzags_to_ten_bytes_of_all_ones()
    {
        var bytes = Wire.Write((ref Writer w) => w.WriteVarInt64(long.MinValue));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, bytes);
    }

    [Theory]
    [InlineData(0u, WireType.VarInt, new byte[] { 0x00 })]
    [InlineData(0u, WireType.EndObject, new byte[] { 0x04 })]
    [InlineData(1u, WireType.LengthPrefixed, new byte[] { 0x0A })]
    [InlineData(2u, WireType.Fixed64, new byte[] { 0x11 })]
    [InlineData(5u, WireType.Fixed32, new byte[] { 0x2D })]
    [InlineData(15u, WireType.StartObject, new byte[] { 0x7B })]
    [InlineData(16u, WireType.Null, new byte[] { 0x86, 0x01 })]
    [InlineData((1u << 29) - 1, WireType.Null, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Field_headers_are_the_id_shifted_left_three_bits_or_the_wire_type(uint fieldId, WireType wireType, byte[] expected)
    {
        Assert.Equal(expected, Wire.Write((ref Writer w) => w.WriteFieldHeader(fieldId, wireType)));
        var reader = new Reader(expected);
        Assert.Equal(new FieldHeader(fieldId, wireType), reader.ReadFieldHeader());
    }

    [Fact]
    public void Field_ids_wider_than_29_bits_are_rejected_by_the_writer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Wire.Write((ref Writer w) => w.WriteFieldHeader(1u << 29, WireType.VarInt)));
    }

    [Fact]
    public void A_root_int_is_a_field_zero_varint_header_and_the_zigzag_value()
    {
        Assert.Equal(new byte[] { 0x00, 0x00 }, Serializer.Serialize(0));
        Assert.Equal(new byte[] { 0x00, 0x02 }, Serializer.Serialize(1));
        Assert.Equal(new byte[] { 0x00, 0xD8, 0x04 }, Serializer.Serialize(300));
        Assert.Equal(new byte[] { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, Serializer.Serialize(int.MinValue));
    }

    [Fact]
    public void Unsigned_integers_and_bools_and_chars_are_plain_varints()
    {
        Assert.Equal(new byte[] { 0x00, 0xAC, 0x02 }, Serializer.Serialize(300u));
        Assert.Equal(new byte[] { 0x00, 0x01 }, Serializer.Serialize(true));
        Assert.Equal(new byte[] { 0x00, 0x00 }, Serializer.Serialize(false));
        Assert.Equal(new byte[] { 0x00, 0xE9, 0x01 }, Serializer.Serialize('é'));
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x01 }, Serializer.Serialize((byte)255));
    }

    [Fact]
    public void An_empty_string_is_a_length_prefixed_field_of_length_zero()
    {
        Assert.Equal(new byte[] { 0x02, 0x00 }, Serializer.Serialize(string.Empty));
    }

    [Fact]
    public void An_ascii_string_is_its_utf8_bytes_after_the_length()
    {
        Assert.Equal(new byte[] { 0x02, 0x02, (byte)'h', (byte)'i' }, Serializer.Serialize("hi"));
    }

    [Fact]
    public void A_multi_byte_string_is_prefixed_with_its_utf8_byte_count_not_its_char_count()
    {
        var bytes = Serializer.Serialize("é€😀");
        Assert.Equal(new byte[] { 0x02, 0x09, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80 }, bytes);
        Assert.Equal("é€😀", Serializer.Deserialize<string>(bytes));
    }

    [Fact]
    public void A_5000_char_string_past_the_4096_byte_fast_path_has_a_two_byte_length()
    {
        var text = new string('a', 5000);
        var bytes = Serializer.Serialize(text);
        Assert.Equal(new byte[] { 0x02, 0x88, 0x27 }, bytes[..3]);
        Assert.Equal(3 + 5000, bytes.Length);
        Assert.Equal(text, Serializer.Deserialize<string>(bytes));
    }

    [Theory]
    [InlineData(1, 'a')]
    [InlineData(42, 'é')]
    [InlineData(127, 'a')]
    [InlineData(128, 'a')]
    [InlineData(1364, 'a')]
    [InlineData(1365, 'a')]
    [InlineData(1364, '€')]
    [InlineData(5000, '€')]
    [InlineData(70000, 'a')]
    public void Strings_around_the_fast_path_boundary_have_the_exact_utf8_layout(int length, char c)
    {
        var text = new string(c, length);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var expected = Wire.Concat([0x02], Wire.Write((ref Writer w) => w.WriteVarUInt32((uint)utf8.Length)), utf8);
        Assert.Equal(expected, Serializer.Serialize(text));
        Assert.Equal(text, Serializer.Deserialize<string>(expected));
    }

    [Fact]
    public void A_null_string_is_a_single_null_header()
    {
        Assert.Equal(new byte[] { 0x06 }, Serializer.Serialize<string?>(null));
        Assert.Null(Serializer.Deserialize<string?>(new byte[] { 0x06 }));
    }

    [Fact]
    public void Floats_are_fixed32_and_doubles_fixed64_little_endian()
    {
        Assert.Equal(new byte[] { 0x05, 0x00, 0x00, 0x80, 0x3F }, Serializer.Serialize(1.0f));
        Assert.Equal(new byte[] { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F }, Serializer.Serialize(1.0));
        Assert.Equal(new byte[] { 0xEF, 0xBE, 0xAD, 0xDE }, Wire.Write((ref Writer w) => w.WriteFixed32(0xDEADBEEF)));
    }

    [Fact]
    public void A_guid_is_16_length_prefixed_bytes_in_its_standard_byte_order()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var expected = Wire.Concat([0x02, 0x10], guid.ToByteArray());
        Assert.Equal(expected, Serializer.Serialize(guid));
    }

    [Fact]
    public void A_byte_array_is_length_prefixed_raw_bytes()
    {
        Assert.Equal(new byte[] { 0x02, 0x03, 1, 2, 3 }, Serializer.Serialize(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void A_list_is_an_object_with_the_count_as_field_0_and_each_element_as_field_1()
    {
        Assert.Equal(
            new byte[] { 0x03, 0x00, 0x02, 0x08, 0x02, 0x08, 0x04, 0x04 },
            Serializer.Serialize(new List<int> { 1, 2 }));
    }

    [Fact]
    public void A_null_element_of_a_list_is_a_field_1_null_header()
    {
        Assert.Equal(
            new byte[] { 0x03, 0x00, 0x02, 0x0E, 0x0A, 0x01, (byte)'x', 0x04 },
            Serializer.Serialize(new List<string?> { null, "x" }));
    }

    [Fact]
    public void A_dictionary_entry_is_its_key_as_field_1_followed_by_its_value_as_field_2()
    {
        Assert.Equal(
            new byte[] { 0x03, 0x00, 0x01, 0x0A, 0x01, (byte)'a', 0x10, 0x02, 0x04 },
            Serializer.Serialize(new Dictionary<string, int> { ["a"] = 1 }));
    }

    [Fact]
    public void An_enum_is_the_zigzag_varint_of_its_underlying_value()
    {
        Assert.Equal(new byte[] { 0x00, 0x04 }, Serializer.Serialize(DayOfWeek.Tuesday));
        Assert.Equal(new byte[] { 0x00, 0x01 }, Serializer.Serialize(SignedEnum.MinusOne));
    }

    [Fact]
    public void A_nullable_with_a_value_is_written_exactly_like_the_value()
    {
        Assert.Equal(Serializer.Serialize(7), Serializer.Serialize<int?>(7));
        Assert.Equal(new byte[] { 0x06 }, Serializer.Serialize<int?>(null));
    }

    [Fact]
    public void A_date_time_is_fixed64_ticks_with_the_kind_in_the_top_two_bits()
    {
        var value = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var expected = Wire.Concat([0x01], BitConverter.GetBytes((ulong)value.Ticks | (1UL << 62)));
        Assert.Equal(expected, Serializer.Serialize(value));
    }

    [Fact]
    public void Void_result_is_an_empty_object()
    {
        Assert.Equal(new byte[] { 0x03, 0x04 }, Serializer.Serialize(default(WellWon.Runtime.Invocation.VoidResult)));
    }

    [Fact]
    public void A_writer_keeps_writing_correctly_after_an_intermediate_commit()
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteVarUInt32(1);
            w.Commit();
            w.WriteVarUInt32(2);
            w.Commit();
            w.WriteString(new string('z', 300));
        });
        Assert.Equal(new byte[] { 0x01, 0x02, 0xAC, 0x02 }, bytes[..4]);
        Assert.Equal(4 + 300, bytes.Length);
    }

    public enum SignedEnum : sbyte
    {
        MinusOne = -1,
    }
}
