using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

public class AllocationTests
{
    private enum Mood : short
    {
        Calm = -3,
    }

    [Fact]
    public void Primitive_enum_and_nullable_codecs_do_not_allocate_per_value()
    {
        using var buffer = new PooledBufferWriter(64 * 1024);
        RoundTripMany(buffer); // resolves and caches the codecs
        buffer.Reset();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = RoundTripMany(buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }

    private static long RoundTripMany(PooledBufferWriter buffer)
    {
        var writer = new Writer(buffer);
        for (var i = 0; i < 500; i++)
        {
            writer.WriteFieldHeader(0, WireType.StartObject);
            Codec<int>.Instance.WriteField(ref writer, 0, -i);
            Codec<long>.Instance.WriteField(ref writer, 1, long.MinValue + i);
            Codec<double>.Instance.WriteField(ref writer, 2, i * 0.5);
            Codec<Mood>.Instance.WriteField(ref writer, 3, Mood.Calm);
            Codec<int?>.Instance.WriteField(ref writer, 4, i % 2 == 0 ? i : null);
            Codec<Guid>.Instance.WriteField(ref writer, 5, Guid.Empty);
            Codec<DateTime>.Instance.WriteField(ref writer, 6, DateTime.UnixEpoch);
            Codec<decimal>.Instance.WriteField(ref writer, 7, 1.5m);
            writer.WriteEndObject();
        }

        writer.Commit();
        var reader = new Reader(buffer.WrittenSpan);
        long sum = 0;
        while (!reader.IsAtEnd)
        {
            Reader.Expect(reader.ReadFieldHeader().WireType, WireType.StartObject);
            reader.EnterObject();
            while (true)
            {
                var h = reader.ReadFieldHeader();
                if (h.WireType == WireType.EndObject)
                {
                    break;
                }

                switch (h.FieldId)
                {
                    case 0: sum += Codec<int>.Instance.ReadValue(ref reader, h.WireType); break;
                    case 1: sum += Codec<long>.Instance.ReadValue(ref reader, h.WireType); break;
                    case 2: sum += (long)Codec<double>.Instance.ReadValue(ref reader, h.WireType); break;
                    case 3: sum += (long)Codec<Mood>.Instance.ReadValue(ref reader, h.WireType); break;
                    case 4: sum += Codec<int?>.Instance.ReadValue(ref reader, h.WireType) ?? 0; break;
                    case 5: sum += Codec<Guid>.Instance.ReadValue(ref reader, h.WireType) == Guid.Empty ? 1 : 0; break;
                    case 6: sum += Codec<DateTime>.Instance.ReadValue(ref reader, h.WireType).Ticks; break;
                    case 7: sum += (long)Codec<decimal>.Instance.ReadValue(ref reader, h.WireType); break;
                    default: reader.SkipField(h.WireType); break;
                }
            }

            reader.ExitObject();
        }

        return sum;
    }
}
