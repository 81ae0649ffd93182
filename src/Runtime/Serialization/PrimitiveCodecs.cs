using System.Buffers.Binary;
using WellWon.Runtime.Invocation;

namespace WellWon.Runtime.Serialization;

// Integers: one VarInt (signed ones zigzag). Every integer reader goes through the 64-bit varint and range-checks,
// so widening or narrowing a field between releases (int <-> long, short <-> int) stays readable.

internal sealed class BooleanCodec : IFieldCodec<bool>
{
    public void WriteField(ref Writer writer, uint fieldId, bool value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(value ? 1u : 0u);
    }

    public bool ReadValue(ref Reader reader, WireType wireType) => WireRead.Unsigned(ref reader, wireType, typeof(bool)) != 0;
}

internal sealed class ByteCodec : IFieldCodec<byte>
{
    public void WriteField(ref Writer writer, uint fieldId, byte value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(value);
    }

    public byte ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Unsigned(ref reader, wireType, typeof(byte));
        return v <= byte.MaxValue ? (byte)v : throw WireRead.OutOfRange(typeof(byte), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class SByteCodec : IFieldCodec<sbyte>
{
    public void WriteField(ref Writer writer, uint fieldId, sbyte value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt32(value);
    }

    public sbyte ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Signed(ref reader, wireType, typeof(sbyte));
        return v is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)v : throw WireRead.OutOfRange(typeof(sbyte), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class Int16Codec : IFieldCodec<short>
{
    public void WriteField(ref Writer writer, uint fieldId, short value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt32(value);
    }

    public short ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Signed(ref reader, wireType, typeof(short));
        return v is >= short.MinValue and <= short.MaxValue ? (short)v : throw WireRead.OutOfRange(typeof(short), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class UInt16Codec : IFieldCodec<ushort>
{
    public void WriteField(ref Writer writer, uint fieldId, ushort value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(value);
    }

    public ushort ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Unsigned(ref reader, wireType, typeof(ushort));
        return v <= ushort.MaxValue ? (ushort)v : throw WireRead.OutOfRange(typeof(ushort), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class Int32Codec : IFieldCodec<int>
{
    public void WriteField(ref Writer writer, uint fieldId, int value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt32(value);
    }

    public int ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Signed(ref reader, wireType, typeof(int));
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw WireRead.OutOfRange(typeof(int), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class UInt32Codec : IFieldCodec<uint>
{
    public void WriteField(ref Writer writer, uint fieldId, uint value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(value);
    }

    public uint ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Unsigned(ref reader, wireType, typeof(uint));
        return v <= uint.MaxValue ? (uint)v : throw WireRead.OutOfRange(typeof(uint), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class Int64Codec : IFieldCodec<long>
{
    public void WriteField(ref Writer writer, uint fieldId, long value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt64(value);
    }

    public long ReadValue(ref Reader reader, WireType wireType) => WireRead.Signed(ref reader, wireType, typeof(long));
}

internal sealed class UInt64Codec : IFieldCodec<ulong>
{
    public void WriteField(ref Writer writer, uint fieldId, ulong value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt64(value);
    }

    public ulong ReadValue(ref Reader reader, WireType wireType) => WireRead.Unsigned(ref reader, wireType, typeof(ulong));
}

internal sealed class CharCodec : IFieldCodec<char>
{
    public void WriteField(ref Writer writer, uint fieldId, char value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(value);
    }

    public char ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Unsigned(ref reader, wireType, typeof(char));
        return v <= char.MaxValue ? (char)v : throw WireRead.OutOfRange(typeof(char), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

// float and double read each other's encoding so a member can change precision between releases.
internal sealed class SingleCodec : IFieldCodec<float>
{
    public void WriteField(ref Writer writer, uint fieldId, float value)
    {
        writer.WriteFieldHeader(fieldId, WireType.Fixed32);
        writer.WriteFixed32(BitConverter.SingleToUInt32Bits(value));
    }

    public float ReadValue(ref Reader reader, WireType wireType) => wireType switch
    {
        WireType.Fixed32 => BitConverter.UInt32BitsToSingle(reader.ReadFixed32()),
        WireType.Fixed64 => (float)BitConverter.UInt64BitsToDouble(reader.ReadFixed64()),
        WireType.Null => throw WireRead.NullForValueType(typeof(float)),
        _ => throw WireRead.Unexpected(wireType, "float"),
    };
}

internal sealed class DoubleCodec : IFieldCodec<double>
{
    public void WriteField(ref Writer writer, uint fieldId, double value)
    {
        writer.WriteFieldHeader(fieldId, WireType.Fixed64);
        writer.WriteFixed64(BitConverter.DoubleToUInt64Bits(value));
    }

    public double ReadValue(ref Reader reader, WireType wireType) => wireType switch
    {
        WireType.Fixed64 => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()),
        WireType.Fixed32 => BitConverter.UInt32BitsToSingle(reader.ReadFixed32()),
        WireType.Null => throw WireRead.NullForValueType(typeof(double)),
        _ => throw WireRead.Unexpected(wireType, "double"),
    };
}

/// <summary>LengthPrefixed 16 bytes: the four 32-bit words of <see cref="decimal.GetBits(decimal)"/>, little-endian.</summary>
internal sealed class DecimalCodec : IFieldCodec<decimal>
{
    public void WriteField(ref Writer writer, uint fieldId, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteVarUInt32(16);
        var span = writer.GetSpanAndAdvance(16);
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], bits[i]);
        }
    }

    public decimal ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType != WireType.LengthPrefixed)
        {
            throw wireType == WireType.Null ? WireRead.NullForValueType(typeof(decimal)) : WireRead.Unexpected(wireType, "decimal");
        }

        var bytes = reader.ReadLengthPrefixed();
        if (bytes.Length != 16)
        {
            throw new WireFormatException($"A decimal is 16 bytes, not {bytes.Length}.");
        }

        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < 4; i++)
        {
            bits[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
        }

        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException)
        {
            throw new WireFormatException("Invalid decimal representation.");
        }
    }
}

internal sealed class StringCodec : IFieldCodec<string>
{
    public void WriteField(ref Writer writer, uint fieldId, string value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteString(value);
    }

    public string ReadValue(ref Reader reader, WireType wireType) => WireRead.NullableString(ref reader, wireType)!;
}

internal sealed class ByteArrayCodec : IFieldCodec<byte[]>
{
    public void WriteField(ref Writer writer, uint fieldId, byte[] value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteLengthPrefixed(value);
    }

    public byte[] ReadValue(ref Reader reader, WireType wireType) => wireType switch
    {
        WireType.LengthPrefixed => reader.ReadLengthPrefixed().ToArray(),
        WireType.Null => null!,
        _ => throw WireRead.Unexpected(wireType, "byte[]"),
    };
}

/// <summary>LengthPrefixed 16 bytes in <see cref="Guid.TryWriteBytes(Span{byte})"/> order.</summary>
internal sealed class GuidCodec : IFieldCodec<Guid>
{
    public void WriteField(ref Writer writer, uint fieldId, Guid value)
    {
        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteVarUInt32(16);
        value.TryWriteBytes(writer.GetSpanAndAdvance(16));
    }

    public Guid ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType != WireType.LengthPrefixed)
        {
            throw wireType == WireType.Null ? WireRead.NullForValueType(typeof(Guid)) : WireRead.Unexpected(wireType, "Guid");
        }

        var bytes = reader.ReadLengthPrefixed();
        return bytes.Length == 16 ? new Guid(bytes) : throw new WireFormatException($"A Guid is 16 bytes, not {bytes.Length}.");
    }
}

/// <summary>Fixed64: the ticks in the low 62 bits and the <see cref="DateTimeKind"/> in the top two (no time-zone conversion).</summary>
internal sealed class DateTimeCodec : IFieldCodec<DateTime>
{
    public void WriteField(ref Writer writer, uint fieldId, DateTime value)
    {
        writer.WriteFieldHeader(fieldId, WireType.Fixed64);
        writer.WriteFixed64((ulong)value.Ticks | ((ulong)value.Kind << 62));
    }

    public DateTime ReadValue(ref Reader reader, WireType wireType)
    {
        if (wireType != WireType.Fixed64)
        {
            throw wireType == WireType.Null ? WireRead.NullForValueType(typeof(DateTime)) : WireRead.Unexpected(wireType, "DateTime");
        }

        var raw = reader.ReadFixed64();
        var kind = (DateTimeKind)(raw >> 62);
        var ticks = (long)(raw & 0x3FFF_FFFF_FFFF_FFFFUL);
        if (kind > DateTimeKind.Local || ticks > DateTime.MaxValue.Ticks)
        {
            throw new WireFormatException("Invalid DateTime.");
        }

        return new DateTime(ticks, kind);
    }
}

/// <summary>An object: field 0 the clock ticks (Fixed64), field 1 the offset in minutes (zigzag VarInt).</summary>
internal sealed class DateTimeOffsetCodec : IFieldCodec<DateTimeOffset>
{
    public void WriteField(ref Writer writer, uint fieldId, DateTimeOffset value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        writer.WriteFieldHeader(0, WireType.Fixed64);
        writer.WriteFixed64((ulong)value.Ticks);
        writer.WriteFieldHeader(1, WireType.VarInt);
        writer.WriteVarInt32((int)(value.Offset.Ticks / TimeSpan.TicksPerMinute));
        writer.WriteEndObject();
    }

    public DateTimeOffset ReadValue(ref Reader reader, WireType wireType)
    {
        WireRead.EnterStruct(ref reader, wireType, typeof(DateTimeOffset));
        ulong ticks = 0;
        long minutes = 0;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.WireType == WireType.EndObject)
            {
                break;
            }

            switch (header.FieldId)
            {
                case 0 when header.WireType == WireType.Fixed64:
                    ticks = reader.ReadFixed64();
                    break;
                case 1 when header.WireType == WireType.VarInt:
                    minutes = reader.ReadVarInt64();
                    break;
                default:
                    reader.SkipField(header.WireType);
                    break;
            }
        }

        reader.ExitObject();
        if (ticks > (ulong)DateTime.MaxValue.Ticks || minutes is < -14 * 60 or > 14 * 60)
        {
            throw new WireFormatException("Invalid DateTimeOffset.");
        }

        try
        {
            return new DateTimeOffset((long)ticks, TimeSpan.FromMinutes(minutes));
        }
        catch (ArgumentOutOfRangeException)
        {
            // The UTC instant falls outside the representable range.
            throw new WireFormatException("Invalid DateTimeOffset.");
        }
    }
}

/// <summary>Zigzag VarInt of the ticks.</summary>
internal sealed class TimeSpanCodec : IFieldCodec<TimeSpan>
{
    public void WriteField(ref Writer writer, uint fieldId, TimeSpan value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt64(value.Ticks);
    }

    public TimeSpan ReadValue(ref Reader reader, WireType wireType) => new(WireRead.Signed(ref reader, wireType, typeof(TimeSpan)));
}

/// <summary>Zigzag VarInt of <see cref="DateOnly.DayNumber"/>.</summary>
internal sealed class DateOnlyCodec : IFieldCodec<DateOnly>
{
    public void WriteField(ref Writer writer, uint fieldId, DateOnly value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt32(value.DayNumber);
    }

    public DateOnly ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Signed(ref reader, wireType, typeof(DateOnly));
        return v >= DateOnly.MinValue.DayNumber && v <= DateOnly.MaxValue.DayNumber
            ? DateOnly.FromDayNumber((int)v)
            : throw WireRead.OutOfRange(typeof(DateOnly), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>VarInt of <see cref="TimeOnly.Ticks"/>.</summary>
internal sealed class TimeOnlyCodec : IFieldCodec<TimeOnly>
{
    public void WriteField(ref Writer writer, uint fieldId, TimeOnly value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt64((ulong)value.Ticks);
    }

    public TimeOnly ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Unsigned(ref reader, wireType, typeof(TimeOnly));
        return v <= (ulong)TimeOnly.MaxValue.Ticks ? new TimeOnly((long)v) : throw WireRead.OutOfRange(typeof(TimeOnly), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>LengthPrefixed <see cref="Uri.OriginalString"/>; relative URIs allowed.</summary>
internal sealed class UriCodec : IFieldCodec<Uri>
{
    public void WriteField(ref Writer writer, uint fieldId, Uri value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteString(value.OriginalString);
    }

    public Uri ReadValue(ref Reader reader, WireType wireType)
    {
        var text = WireRead.NullableString(ref reader, wireType);
        if (text is null)
        {
            return null!;
        }

        return Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var uri) ? uri : throw new WireFormatException("Invalid URI.");
    }
}

/// <summary>LengthPrefixed <see cref="Version.ToString()"/>.</summary>
internal sealed class VersionCodec : IFieldCodec<Version>
{
    public void WriteField(ref Writer writer, uint fieldId, Version value)
    {
        if (value is null)
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
            return;
        }

        writer.WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        writer.WriteString(value.ToString());
    }

    public Version ReadValue(ref Reader reader, WireType wireType)
    {
        var text = WireRead.NullableString(ref reader, wireType);
        if (text is null)
        {
            return null!;
        }

        return Version.TryParse(text, out var version) ? version : throw new WireFormatException("Invalid Version.");
    }
}

/// <summary>An empty object, like the generated codec of a struct without members; any encoding is accepted on read.</summary>
internal sealed class VoidResultCodec : IFieldCodec<VoidResult>
{
    public void WriteField(ref Writer writer, uint fieldId, VoidResult value)
    {
        writer.WriteFieldHeader(fieldId, WireType.StartObject);
        writer.WriteEndObject();
    }

    public VoidResult ReadValue(ref Reader reader, WireType wireType)
    {
        reader.SkipField(wireType);
        return default;
    }
}
