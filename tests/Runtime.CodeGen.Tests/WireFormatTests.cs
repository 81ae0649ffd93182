using System.Reflection;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.CodeGen.Tests;

/// <summary>
/// Runs generated codecs for member-less types: their framing (null, StartObject, EndObject, skipping unknown
/// fields) needs no CodecRegistry, which is not implemented in this branch. The helper lives in the sample
/// itself because the codec classes are internal to the generated assembly.
/// </summary>
public class WireFormatTests
{
    private const string Source = """
        namespace WireProbe
        {
            [GenerateSerializer]
            public sealed class Empty
            {
            }

            [GenerateSerializer]
            public struct EmptyStruct
            {
            }

            public static class Probe
            {
                public static byte[] WriteEmpty(Empty? value)
                {
                    var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                    var writer = new WellWon.Runtime.Serialization.Writer(buffer);
                    new WellWonGenerated.Codec_WireProbe_Empty().WriteField(ref writer, 1, value!);
                    writer.Commit();
                    return buffer.WrittenSpan.ToArray();
                }

                public static Empty? ReadEmpty(byte[] bytes) => Read(bytes, new WellWonGenerated.Codec_WireProbe_Empty());

                public static EmptyStruct ReadEmptyStruct(byte[] bytes) => Read(bytes, new WellWonGenerated.Codec_WireProbe_EmptyStruct());

                private static T Read<T>(byte[] bytes, WellWon.Runtime.Serialization.IFieldCodec<T> codec)
                {
                    var reader = new WellWon.Runtime.Serialization.Reader(bytes);
                    var header = reader.ReadFieldHeader();
                    var value = codec.ReadValue(ref reader, header.WireType);
                    if (!reader.IsAtEnd)
                    {
                        throw new InvalidOperationException("trailing bytes");
                    }

                    return value;
                }
            }
        }
        """;

    private static readonly Lazy<Type> s_probe = new(() =>
    {
        var run = GeneratorHarness.Run(Source, "WellWon.WireProbe.Generated");
        Assert.Empty(run.GeneratorDiagnostics);
        return run.LoadAssembly().GetType("WireProbe.Probe", throwOnError: true)!;
    });

    // Header bytes are (fieldId << 3) | wireType.
    private const byte StartObjectField1 = (1 << 3) | (byte)WireType.StartObject;
    private const byte NullField1 = (1 << 3) | (byte)WireType.Null;
    private const byte EndObject = (byte)WireType.EndObject;

    [Fact]
    public void Codec_writes_an_object_as_start_and_end_markers()
    {
        var empty = Activator.CreateInstance(s_probe.Value.Assembly.GetType("WireProbe.Empty", throwOnError: true)!);

        Assert.Equal(new[] { StartObjectField1, EndObject }, Call<byte[]>("WriteEmpty", empty));
        Assert.Equal(new[] { NullField1 }, Call<byte[]>("WriteEmpty", [null]));
    }

    [Fact]
    public void Codec_reads_null_for_classes_and_skips_unknown_fields()
    {
        Assert.Null(Call<object?>("ReadEmpty", new[] { NullField1 }));

        byte[] withUnknownFields =
        [
            StartObjectField1,
            (5 << 3) | (byte)WireType.VarInt, 0x96, 0x01,
            (2 << 3) | (byte)WireType.StartObject, (3 << 3) | (byte)WireType.LengthPrefixed, 1, 0x41, EndObject,
            (9 << 3) | (byte)WireType.Null,
            EndObject,
        ];
        Assert.NotNull(Call<object?>("ReadEmpty", withUnknownFields));
    }

    [Fact]
    public void Codec_rejects_null_for_value_types()
    {
        var e = Assert.Throws<TargetInvocationException>(() => Call<object>("ReadEmptyStruct", new[] { NullField1 }));

        Assert.IsType<WireFormatException>(e.InnerException);
    }

    private static T Call<T>(string method, params object?[] args) =>
        (T)s_probe.Value.GetMethod(method)!.Invoke(null, args)!;
}
