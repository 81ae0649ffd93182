using System.Runtime.CompilerServices;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Any enum as the zigzag VarInt of its underlying value. The value is reinterpreted by size with
/// <see cref="Unsafe.As{TFrom, TTo}(ref TFrom)"/>, so nothing is boxed.
/// </summary>
internal sealed class EnumCodec<T> : IFieldCodec<T>
    where T : struct, Enum
{
    private static readonly int s_size = Unsafe.SizeOf<T>();

    private static readonly bool s_signed = Type.GetTypeCode(Enum.GetUnderlyingType(typeof(T))) is
        TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64;

    public void WriteField(ref Writer writer, uint fieldId, T value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarInt64(ToInt64(value));
    }

    public T ReadValue(ref Reader reader, WireType wireType)
    {
        var v = WireRead.Signed(ref reader, wireType, typeof(T));
        switch (s_size)
        {
            case 1:
                if (s_signed ? v is < sbyte.MinValue or > sbyte.MaxValue : v is < 0 or > byte.MaxValue)
                {
                    break;
                }

                var b = (byte)v;
                return Unsafe.As<byte, T>(ref b);
            case 2:
                if (s_signed ? v is < short.MinValue or > short.MaxValue : v is < 0 or > ushort.MaxValue)
                {
                    break;
                }

                var s = (ushort)v;
                return Unsafe.As<ushort, T>(ref s);
            case 4:
                if (s_signed ? v is < int.MinValue or > int.MaxValue : v is < 0 or > uint.MaxValue)
                {
                    break;
                }

                var i = (uint)v;
                return Unsafe.As<uint, T>(ref i);
            default:
                // A ulong enum was written as its bits reinterpreted as long, so any value is valid.
                return Unsafe.As<long, T>(ref v);
        }

        throw WireRead.OutOfRange(typeof(T), v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static long ToInt64(T value) => s_size switch
    {
        1 => s_signed ? Unsafe.As<T, sbyte>(ref value) : Unsafe.As<T, byte>(ref value),
        2 => s_signed ? Unsafe.As<T, short>(ref value) : Unsafe.As<T, ushort>(ref value),
        4 => s_signed ? Unsafe.As<T, int>(ref value) : Unsafe.As<T, uint>(ref value),
        _ => Unsafe.As<T, long>(ref value),
    };
}

/// <summary><c>null</c> as a Null header; a value exactly as the codec of <typeparamref name="T"/> writes it.</summary>
internal sealed class NullableCodec<T> : IFieldCodec<T?>
    where T : struct
{
    public void WriteField(ref Writer writer, uint fieldId, T? value)
    {
        if (value is { } v)
        {
            Codec<T>.Instance.WriteField(ref writer, fieldId, v);
        }
        else
        {
            writer.WriteFieldHeader(fieldId, WireType.Null);
        }
    }

    public T? ReadValue(ref Reader reader, WireType wireType) =>
        wireType == WireType.Null ? null : Codec<T>.Instance.ReadValue(ref reader, wireType);
}
