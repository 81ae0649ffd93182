using System.Collections.Immutable;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

public class RoundTripTests
{
    private static void AssertRoundTrips<T>(T value) => Assert.Equal(value, Wire.RoundTrip(value));

    [Fact]
    public void Every_integer_type_round_trips_its_extremes()
    {
        AssertRoundTrips(true);
        AssertRoundTrips(false);
        AssertRoundTrips(byte.MinValue);
        AssertRoundTrips(byte.MaxValue);
        AssertRoundTrips(sbyte.MinValue);
        AssertRoundTrips(sbyte.MaxValue);
        AssertRoundTrips(short.MinValue);
        AssertRoundTrips(short.MaxValue);
        AssertRoundTrips(ushort.MaxValue);
        AssertRoundTrips(int.MinValue);
        AssertRoundTrips(int.MaxValue);
        AssertRoundTrips(-1);
        AssertRoundTrips(uint.MaxValue);
        AssertRoundTrips(long.MinValue);
        AssertRoundTrips(long.MaxValue);
        AssertRoundTrips(ulong.MaxValue);
        AssertRoundTrips('\0');
        AssertRoundTrips('\uFFFF');
    }

    [Fact]
    public void Floating_point_values_round_trip_bit_for_bit()
    {
        foreach (var f in new[] { 0f, -0f, float.Epsilon, float.MaxValue, float.MinValue, float.NaN, float.PositiveInfinity, 3.14159f })
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(f), BitConverter.SingleToUInt32Bits(Wire.RoundTrip(f)));
        }

        foreach (var d in new[] { 0d, -0d, double.Epsilon, double.MaxValue, double.MinValue, double.NaN, double.NegativeInfinity, Math.PI })
        {
            Assert.Equal(BitConverter.DoubleToUInt64Bits(d), BitConverter.DoubleToUInt64Bits(Wire.RoundTrip(d)));
        }
    }

    [Fact]
    public void Decimals_round_trip_with_their_scale()
    {
        foreach (var m in new[] { 0m, 1.000m, -1.5m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, 79228162514264337593543950335m / 7 })
        {
            var copy = Wire.RoundTrip(m);
            Assert.Equal(m, copy);
            Assert.Equal(m.ToString(System.Globalization.CultureInfo.InvariantCulture), copy.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Strings_and_byte_arrays_round_trip_including_null_and_empty()
    {
        AssertRoundTrips("hello");
        AssertRoundTrips(string.Empty);
        AssertRoundTrips<string?>(null);
        AssertRoundTrips("\u0000 tab\t é€😀 \uD7FF");
        AssertRoundTrips(new byte[] { 0, 1, 255 });
        AssertRoundTrips(Array.Empty<byte>());
        AssertRoundTrips<byte[]?>(null);
    }

    [Fact]
    public void Guids_round_trip()
    {
        AssertRoundTrips(Guid.NewGuid());
        AssertRoundTrips(Guid.Empty);
    }

    [Theory]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Unspecified)]
    public void Date_times_round_trip_with_their_kind_and_without_time_zone_conversion(DateTimeKind kind)
    {
        var value = new DateTime(2025, 6, 30, 23, 59, 58, 123, kind).AddTicks(4567);
        var copy = Wire.RoundTrip(value);
        Assert.Equal(value.Ticks, copy.Ticks);
        Assert.Equal(kind, copy.Kind);
        Assert.Equal(DateTime.MaxValue, Wire.RoundTrip(DateTime.MaxValue));
        Assert.Equal(DateTime.MinValue, Wire.RoundTrip(DateTime.MinValue));
    }

    [Fact]
    public void Date_time_offsets_round_trip_with_their_offset()
    {
        var value = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(330)).AddTicks(17);
        var copy = Wire.RoundTrip(value);
        Assert.Equal(value, copy);
        Assert.Equal(value.Offset, copy.Offset);
        Assert.Equal(value.Ticks, copy.Ticks);
        Assert.Equal(TimeSpan.FromHours(-14), Wire.RoundTrip(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14))).Offset);
        AssertRoundTrips(DateTimeOffset.MaxValue);
        AssertRoundTrips(DateTimeOffset.MinValue);
    }

    [Fact]
    public void Time_spans_dates_and_times_round_trip()
    {
        AssertRoundTrips(TimeSpan.MinValue);
        AssertRoundTrips(TimeSpan.MaxValue);
        AssertRoundTrips(TimeSpan.FromMilliseconds(-1234.5));
        AssertRoundTrips(DateOnly.MinValue);
        AssertRoundTrips(DateOnly.MaxValue);
        AssertRoundTrips(new DateOnly(2024, 2, 29));
        AssertRoundTrips(TimeOnly.MinValue);
        AssertRoundTrips(TimeOnly.MaxValue);
    }

    [Fact]
    public void Uris_and_versions_round_trip_including_relative_and_null()
    {
        AssertRoundTrips(new Uri("https://example.com:8443/a/b?q=1#frag"));
        AssertRoundTrips(new Uri("relative/path?x=y", UriKind.Relative));
        AssertRoundTrips<Uri?>(null);
        AssertRoundTrips(new Version(1, 2));
        AssertRoundTrips(new Version(1, 2, 3));
        AssertRoundTrips(new Version(1, 2, 3, 4));
        AssertRoundTrips<Version?>(null);
    }

    [Fact]
    public void Enums_of_every_underlying_type_round_trip_including_undefined_and_flag_values()
    {
        AssertRoundTrips(SByteEnum.Min);
        AssertRoundTrips(SByteEnum.Max);
        AssertRoundTrips(ByteEnum.Max);
        AssertRoundTrips(ShortEnum.Min);
        AssertRoundTrips(UShortEnum.Max);
        AssertRoundTrips(IntEnum.Min);
        AssertRoundTrips((IntEnum)12345);
        AssertRoundTrips(UIntEnum.Max);
        AssertRoundTrips(LongEnum.Min);
        AssertRoundTrips(LongEnum.Max);
        AssertRoundTrips(ULongEnum.Max);
        AssertRoundTrips(FileAccess.ReadWrite);
        AssertRoundTrips(AttributeTargets.Class | AttributeTargets.Struct);
    }

    [Fact]
    public void Nullables_round_trip_both_null_and_values()
    {
        AssertRoundTrips<int?>(null);
        AssertRoundTrips<int?>(-5);
        AssertRoundTrips<Guid?>(Guid.NewGuid());
        AssertRoundTrips<DayOfWeek?>(DayOfWeek.Friday);
        AssertRoundTrips<DayOfWeek?>(null);
        AssertRoundTrips<DateTimeOffset?>(DateTimeOffset.UnixEpoch);
        AssertRoundTrips<(int, string)?>((1, "a"));
    }

    [Fact]
    public void Arrays_round_trip_including_null_elements_empty_and_null()
    {
        AssertRoundTrips(new[] { 1, -2, int.MaxValue });
        AssertRoundTrips(new[] { "a", null, string.Empty });
        AssertRoundTrips(Array.Empty<int>());
        AssertRoundTrips<int[]?>(null);
        AssertRoundTrips(new int?[] { 1, null, 3 });
        AssertRoundTrips(Enumerable.Range(0, 5000).ToArray());
    }

    [Fact]
    public void Lists_and_sets_round_trip_including_null_elements_empty_and_null()
    {
        AssertRoundTrips(new List<string?> { "x", null, "z" });
        AssertRoundTrips(new List<int>());
        AssertRoundTrips<List<int>?>(null);
        AssertRoundTrips(new HashSet<string?> { "a", "b", null });
        AssertRoundTrips(new HashSet<int>());
        AssertRoundTrips<HashSet<int>?>(null);
    }

    [Fact]
    public void Collection_interfaces_round_trip_as_lists_and_sets()
    {
        var listInterface = Wire.RoundTrip<IList<int>>(new[] { 1, 2, 3 });
        Assert.IsType<List<int>>(listInterface);
        Assert.Equal([1, 2, 3], listInterface);
        Assert.Equal([4, 5], Wire.RoundTrip<IReadOnlyList<int>>(new List<int> { 4, 5 }));
        Assert.Equal([6], Wire.RoundTrip<ICollection<int>>(new HashSet<int> { 6 }));
        Assert.Equal([7, 8], Wire.RoundTrip<IReadOnlyCollection<int>>(ImmutableList.Create(7, 8)));

        // An enumerable with no cheap count is written without the count hint.
        Assert.Equal([0, 2, 4], Wire.RoundTrip(Enumerable.Range(0, 3).Select(i => i * 2)));
        Assert.Null(Wire.RoundTrip<IEnumerable<int>?>(null));
        Assert.Equal(new HashSet<string> { "a", "b" }, Wire.RoundTrip<ISet<string>>(new HashSet<string> { "a", "b" }));
        Assert.Equal(new HashSet<int> { 3 }, Wire.RoundTrip<IReadOnlySet<int>>(new HashSet<int> { 3 }));
    }

    [Fact]
    public void Dictionaries_round_trip_including_null_values_empty_and_null()
    {
        AssertRoundTrips(new Dictionary<string, int> { ["a"] = 1, ["b"] = -2 });
        AssertRoundTrips(new Dictionary<int, string?> { [1] = null, [2] = "two" });
        AssertRoundTrips(new Dictionary<Guid, int>());
        AssertRoundTrips<Dictionary<string, int>?>(null);
        var readOnly = Wire.RoundTrip<IReadOnlyDictionary<string, long>>(new Dictionary<string, long> { ["x"] = long.MaxValue });
        Assert.IsType<Dictionary<string, long>>(readOnly);
        Assert.Equal(long.MaxValue, readOnly["x"]);
        var mutable = Wire.RoundTrip<IDictionary<DayOfWeek, bool>>(new SortedDictionary<DayOfWeek, bool> { [DayOfWeek.Monday] = true });
        Assert.True(mutable[DayOfWeek.Monday]);
    }

    [Fact]
    public void Nested_collections_round_trip()
    {
        var nested = new Dictionary<int, Dictionary<string, int[]?>>
        {
            [1] = new() { ["a"] = [1, 2], ["b"] = null, ["c"] = [] },
            [2] = [],
        };
        var copy = Wire.RoundTrip(nested);
        Assert.Equal(nested.Keys, copy.Keys);
        Assert.Equal(nested[1]["a"], copy[1]["a"]);
        Assert.Null(copy[1]["b"]);
        Assert.Empty(copy[1]["c"]!);
        Assert.Empty(copy[2]);

        AssertRoundTrips(new List<List<int>?> { new() { 1 }, null, new() });
        AssertRoundTrips(new int[]?[] { [1, 2], null, [] });
        AssertRoundTrips(new List<Dictionary<string, List<string?>>> { new() { ["k"] = new() { null, "v" } } });
    }

    [Fact]
    public void Key_value_pairs_and_value_tuples_round_trip()
    {
        AssertRoundTrips(new KeyValuePair<string, int?>("k", null));
        AssertRoundTrips((1, "two"));
        AssertRoundTrips((1, "two", 3.0));
        AssertRoundTrips((1, (string?)null, 3.0, new List<int> { 4 }.Count));
        AssertRoundTrips(new List<(string, int)> { ("a", 1), ("b", 2) });
    }

    [Fact]
    public void Immutable_collections_round_trip_including_the_default_immutable_array()
    {
        Assert.Equal(ImmutableArray.Create(1, 2, 3), Wire.RoundTrip(ImmutableArray.Create(1, 2, 3)).ToArray());
        Assert.True(Wire.RoundTrip(default(ImmutableArray<int>)).IsDefault);
        Assert.True(Wire.RoundTrip(ImmutableArray<string>.Empty).IsEmpty);
        Assert.Equal(["a", null], Wire.RoundTrip(ImmutableList.Create("a", (string?)null)));
        Assert.Null(Wire.RoundTrip<ImmutableList<int>?>(null));
        var dictionary = Wire.RoundTrip(ImmutableDictionary<string, int>.Empty.Add("x", 1).Add("y", 2));
        Assert.Equal(2, dictionary.Count);
        Assert.Equal(2, dictionary["y"]);
    }

    [Fact]
    public void Void_result_round_trips()
    {
        AssertRoundTrips(default(VoidResult));
    }

    [Fact]
    public void Objects_with_nested_objects_and_collections_round_trip_through_hand_written_codecs()
    {
        var person = new PersonV2
        {
            Name = "Ada",
            Age = 36,
            Email = "ada@example.com",
            Score = 9.5,
            Rating = 4.5f,
            Home = new Address("Main St", [1, 2]),
            Tags = ["a", "b"],
            Nickname = null,
            Visits = long.MaxValue,
        };
        var copy = Wire.RoundTrip(person);
        Assert.Equal("Ada", copy.Name);
        Assert.Equal(36, copy.Age);
        Assert.Equal("ada@example.com", copy.Email);
        Assert.Equal(9.5, copy.Score);
        Assert.Equal(4.5f, copy.Rating);
        Assert.Equal("Main St", copy.Home!.Street);
        Assert.Equal([1, 2], copy.Home.Floors!);
        Assert.Equal(["a", "b"], copy.Tags!);
        Assert.Null(copy.Nickname);
        Assert.Equal(long.MaxValue, copy.Visits);
    }

    [Fact]
    public void Closed_generic_types_round_trip_through_a_registered_open_generic_codec()
    {
        Assert.Equal(new Box<int>(5), Wire.RoundTrip(new Box<int>(5)));
        Assert.Equal("x", Wire.RoundTrip(new Box<List<string>>(["x"])).Value.Single());
    }

    [Fact]
    public void Serializing_into_a_caller_buffer_appends_a_root_payload()
    {
        using var buffer = new PooledBufferWriter();
        Serializer.Serialize("first", buffer);
        var firstLength = buffer.WrittenCount;
        Serializer.Serialize(42, buffer);
        Assert.Equal("first", Serializer.Deserialize<string>(buffer.WrittenSpan[..firstLength]));
        Assert.Equal(42, Serializer.Deserialize<int>(buffer.WrittenSpan[firstLength..]));
    }

    public enum SByteEnum : sbyte { Min = sbyte.MinValue, Max = sbyte.MaxValue }

    public enum ByteEnum : byte { Max = byte.MaxValue }

    public enum ShortEnum : short { Min = short.MinValue }

    public enum UShortEnum : ushort { Max = ushort.MaxValue }

    public enum IntEnum { Min = int.MinValue }

    public enum UIntEnum : uint { Max = uint.MaxValue }

    public enum LongEnum : long { Min = long.MinValue, Max = long.MaxValue }

    public enum ULongEnum : ulong { Max = ulong.MaxValue }
}
