namespace WellWon.Runtime.Serialization;

/// <summary>Shared checks for built-in codecs, so every malformed payload surfaces as a <see cref="WireFormatException"/>.</summary>
internal static class WireRead
{
    public static WireFormatException Unexpected(WireType actual, string what) =>
        new($"Unexpected wire type {actual} for a {what}.");

    public static WireFormatException NullForValueType(Type type) =>
        new($"A null was written where a value of type {type} was expected.");

    public static WireFormatException OutOfRange(Type type, string value) =>
        new($"The value {value} is out of range for {type}.");

    /// <summary>A signed integer of any width (zigzag varint); narrower targets range-check the result.</summary>
    public static long Signed(ref Reader reader, WireType wireType, Type target)
    {
        if (wireType != WireType.VarInt)
        {
            throw wireType == WireType.Null ? NullForValueType(target) : Unexpected(wireType, target.Name);
        }

        return reader.ReadVarInt64();
    }

    /// <summary>An unsigned integer of any width (plain varint).</summary>
    public static ulong Unsigned(ref Reader reader, WireType wireType, Type target)
    {
        if (wireType != WireType.VarInt)
        {
            throw wireType == WireType.Null ? NullForValueType(target) : Unexpected(wireType, target.Name);
        }

        return reader.ReadVarUInt64();
    }

    /// <summary>Reads the StartObject of a value type (null is not allowed) and enters it.</summary>
    public static void EnterStruct(ref Reader reader, WireType wireType, Type target)
    {
        if (wireType != WireType.StartObject)
        {
            throw wireType == WireType.Null ? NullForValueType(target) : Unexpected(wireType, target.Name);
        }

        reader.EnterObject();
    }

    /// <summary>Reads the StartObject of a reference type; returns false for Null.</summary>
    public static bool EnterClass(ref Reader reader, WireType wireType, Type target)
    {
        if (wireType == WireType.Null)
        {
            return false;
        }

        if (wireType != WireType.StartObject)
        {
            throw Unexpected(wireType, target.Name);
        }

        reader.EnterObject();
        return true;
    }

    /// <summary>Reads a LengthPrefixed string or a Null.</summary>
    public static string? NullableString(ref Reader reader, WireType wireType) => wireType switch
    {
        WireType.LengthPrefixed => reader.ReadString(),
        WireType.Null => null,
        _ => throw Unexpected(wireType, "string"),
    };
}
