namespace WellWon.Runtime.Serialization;

/// <summary>
/// How a field's value is laid out, carried in the low three bits of every field header so a reader can
/// skip a field it does not know (that is what makes payloads version tolerant).
/// </summary>
public enum WireType : byte
{
    /// <summary>A base-128 varint (integers, booleans, enums; signed values zigzag-encoded).</summary>
    VarInt = 0,

    /// <summary>Eight little-endian bytes (double, fixed 64-bit values).</summary>
    Fixed64 = 1,

    /// <summary>A varint byte count followed by that many bytes (strings, byte arrays, Guid).</summary>
    LengthPrefixed = 2,

    /// <summary>The start of a nested object; fields follow until <see cref="EndObject"/>.</summary>
    StartObject = 3,

    /// <summary>Closes the innermost <see cref="StartObject"/>; its field ID is always 0.</summary>
    EndObject = 4,

    /// <summary>Four little-endian bytes (float, fixed 32-bit values).</summary>
    Fixed32 = 5,

    /// <summary>A null reference: no payload.</summary>
    Null = 6,
}

/// <summary>A field header: the member's stable ID and the layout of its value.</summary>
public readonly record struct FieldHeader(uint FieldId, WireType WireType);

/// <summary>Malformed or unexpected bytes in a payload.</summary>
public sealed class WireFormatException(string message) : Exception(message);
