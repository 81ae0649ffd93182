using System.Buffers.Binary;
using System.Text;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Reads the runtime's binary format from a contiguous buffer. Every read is bounds-checked: malformed input
/// throws <see cref="WireFormatException"/>, never reads out of range.
/// </summary>
public ref struct Reader
{
    /// <summary>Deepest nesting of objects a payload may use.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _depth;

    /// <summary>Reads from <paramref name="buffer"/>.</summary>
    public Reader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _depth = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>Reads the next field header.</summary>
    public FieldHeader ReadFieldHeader()
    {
        var raw = ReadVarUInt32();
        var wireType = (WireType)(raw & 7);
        if (wireType > WireType.Null)
        {
            throw new WireFormatException($"Unknown wire type {(int)wireType} at offset {_position}.");
        }

        return new FieldHeader(raw >> 3, wireType);
    }

    /// <summary>
    /// Call after reading a <see cref="WireType.StartObject"/> header of a value you are about to read field by
    /// field; enforces the nesting limit. Pair with <see cref="ExitObject"/> once its <see cref="WireType.EndObject"/> is read.
    /// </summary>
    public void EnterObject()
    {
        if (++_depth > MaxDepth)
        {
            throw new WireFormatException($"Objects nested deeper than {MaxDepth} levels.");
        }
    }

    /// <summary>Leaves an object entered with <see cref="EnterObject"/>.</summary>
    public void ExitObject() => _depth--;

    /// <summary>Throws unless <paramref name="actual"/> is <paramref name="expected"/>.</summary>
    public static void Expect(WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new WireFormatException($"Expected wire type {expected} but found {actual}.");
        }
    }

    /// <summary>Reads an unsigned varint of at most 32 bits.</summary>
    public uint ReadVarUInt32()
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            result |= (uint)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new WireFormatException("Varint longer than 5 bytes for a 32-bit value.");
    }

    /// <summary>Reads an unsigned varint of at most 64 bits.</summary>
    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new WireFormatException("Varint longer than 10 bytes.");
    }

    /// <summary>Reads a zigzag varint.</summary>
    public int ReadVarInt32()
    {
        var v = ReadVarUInt32();
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    /// <summary>Reads a zigzag varint.</summary>
    public long ReadVarInt64()
    {
        var v = ReadVarUInt64();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>Reads four little-endian bytes.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadRaw(4));

    /// <summary>Reads eight little-endian bytes.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadRaw(8));

    /// <summary>Reads a varint length and returns that many bytes (a view into the buffer).</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed()
    {
        var length = ReadVarUInt32();
        if (length > (uint)(_buffer.Length - _position))
        {
            throw new WireFormatException($"Length {length} at offset {_position} runs past the end of the payload.");
        }

        return ReadRaw((int)length);
    }

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadLengthPrefixed());

    /// <summary>Reads exactly <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count < 0 || count > _buffer.Length - _position)
        {
            throw new WireFormatException($"Needed {count} bytes at offset {_position}, payload has {_buffer.Length - _position}.");
        }

        var s = _buffer.Slice(_position, count);
        _position += count;
        return s;
    }

    /// <summary>Skips the value of a field whose header was just read (nested objects included).</summary>
    public void SkipField(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.VarInt:
                ReadVarUInt64();
                break;
            case WireType.Fixed64:
                ReadRaw(8);
                break;
            case WireType.Fixed32:
                ReadRaw(4);
                break;
            case WireType.LengthPrefixed:
                ReadLengthPrefixed();
                break;
            case WireType.Null:
                break;
            case WireType.StartObject:
                EnterObject();
                while (true)
                {
                    var header = ReadFieldHeader();
                    if (header.WireType == WireType.EndObject)
                    {
                        break;
                    }

                    SkipField(header.WireType);
                }

                ExitObject();
                break;
            default:
                throw new WireFormatException($"Cannot skip a field of wire type {wireType}.");
        }
    }

    private byte ReadByte()
    {
        if (_position >= _buffer.Length)
        {
            throw new WireFormatException("Unexpected end of payload.");
        }

        return _buffer[_position++];
    }
}
