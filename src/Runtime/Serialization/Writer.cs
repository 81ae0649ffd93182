using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace WellWon.Runtime.Serialization;

/// <summary>
/// Writes the runtime's binary format into an <see cref="IBufferWriter{T}"/>. Call <see cref="Commit"/> when done.
/// </summary>
public ref struct Writer
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _position;

    /// <summary>Starts writing at the end of <paramref name="output"/>.</summary>
    public Writer(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(256);
        _position = 0;
    }

    /// <summary>Hands the bytes written so far to the buffer writer.</summary>
    public void Commit()
    {
        if (_position > 0)
        {
            _output.Advance(_position);

            // IBufferWriter forbids writing into a span obtained before Advance; the next write asks for a fresh one.
            _span = default;
            _position = 0;
        }
    }

    /// <summary>Writes a field header: <c>(fieldId &lt;&lt; 3) | wireType</c> as a varint.</summary>
    public void WriteFieldHeader(uint fieldId, WireType wireType)
    {
        if (fieldId > (uint.MaxValue >> 3))
        {
            throw new ArgumentOutOfRangeException(nameof(fieldId), fieldId, "Field IDs must fit in 29 bits.");
        }

        WriteVarUInt32((fieldId << 3) | (uint)wireType);
    }

    /// <summary>Closes the innermost object.</summary>
    public void WriteEndObject() => WriteVarUInt32((uint)WireType.EndObject);

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteVarUInt32(uint value)
    {
        Ensure(5);
        while (value >= 0x80)
        {
            _span[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _span[_position++] = (byte)value;
    }

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _span[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _span[_position++] = (byte)value;
    }

    /// <summary>Writes a signed value as a zigzag varint.</summary>
    public void WriteVarInt32(int value) => WriteVarUInt32((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes a signed value as a zigzag varint.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes four little-endian bytes.</summary>
    public void WriteFixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_span[_position..], value);
        _position += 4;
    }

    /// <summary>Writes eight little-endian bytes.</summary>
    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_span[_position..], value);
        _position += 8;
    }

    /// <summary>Writes a varint length followed by the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt32((uint)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>Writes a string as a varint UTF-8 byte count followed by the UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 4096)
        {
            // Reserve room for the longest varint length plus the worst-case encoding, then fix up.
            Ensure(max + 5);
            var count = Encoding.UTF8.GetBytes(value, _span[(_position + 5)..]);
            var lengthBytes = VarIntLength((uint)count);
            if (lengthBytes != 5)
            {
                _span.Slice(_position + 5, count).CopyTo(_span[(_position + lengthBytes)..]);
            }

            WriteVarUInt32((uint)count);
            _position += count;
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        WriteLengthPrefixed(bytes);
    }

    /// <summary>Writes bytes with no prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Ensure(1);
            var n = Math.Min(bytes.Length, _span.Length - _position);
            bytes[..n].CopyTo(_span[_position..]);
            _position += n;
            bytes = bytes[n..];
        }
    }

    /// <summary>Gets a span of exactly <paramref name="length"/> writable bytes and advances past it.</summary>
    public Span<byte> GetSpanAndAdvance(int length)
    {
        Ensure(length);
        var s = _span.Slice(_position, length);
        _position += length;
        return s;
    }

    private static int VarIntLength(uint value) =>
        value < 1u << 7 ? 1 : value < 1u << 14 ? 2 : value < 1u << 21 ? 3 : value < 1u << 28 ? 4 : 5;

    private void Ensure(int count)
    {
        if (_span.Length - _position >= count)
        {
            return;
        }

        Commit();
        _span = _output.GetSpan(Math.Max(count, 256));
    }
}
