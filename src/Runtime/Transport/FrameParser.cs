using System.Buffers;
using System.Buffers.Binary;

namespace WellWon.Runtime.Transport;

/// <summary>
/// Cuts frames out of a byte sequence (see <see cref="Frame"/> for the layout). Stateless apart from its
/// limit, independent of sockets, so it can be fed from byte arrays in tests.
/// </summary>
public sealed class FrameParser
{
    /// <summary>Creates a parser that rejects frames whose length prefix exceeds <paramref name="maxFrameSize"/>.</summary>
    /// <param name="maxFrameSize">Largest accepted value of the length prefix (header plus payload).</param>
    public FrameParser(int maxFrameSize = TransportOptions.DefaultMaxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, Frame.HeaderSize);
        MaxFrameSize = maxFrameSize;
    }

    /// <summary>Largest accepted value of the length prefix (header plus payload).</summary>
    public int MaxFrameSize { get; }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. On success <paramref name="buffer"/> is
    /// sliced past the frame, so after a loop of calls <c>buffer.Start</c> is the consumed position and the
    /// original end is the examined position (<c>reader.AdvanceTo(buffer.Start, buffer.End)</c>).
    /// </summary>
    /// <returns><see langword="false"/> when the buffer does not yet hold a whole frame.</returns>
    /// <exception cref="TransportProtocolException">
    /// The length prefix is negative, smaller than the header or above <see cref="MaxFrameSize"/>. Thrown as
    /// soon as the prefix is readable, so an attacker cannot make the receiver buffer a huge frame first.
    /// </exception>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out Frame frame)
    {
        frame = default;
        if (buffer.Length < Frame.LengthPrefixSize + Frame.HeaderSize)
        {
            // The prefix alone may already be invalid; checking it early closes garbage connections sooner.
            if (buffer.Length >= Frame.LengthPrefixSize)
            {
                _ = ReadAndCheckLength(buffer);
            }

            return false;
        }

        var length = ReadAndCheckLength(buffer);
        if (buffer.Length - Frame.LengthPrefixSize < length)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[Frame.HeaderSize];
        buffer.Slice(Frame.LengthPrefixSize, Frame.HeaderSize).CopyTo(header);
        var kind = (FrameKind)header[0];
        var correlationId = BinaryPrimitives.ReadInt64LittleEndian(header[1..]);
        var payloadLength = length - Frame.HeaderSize;
        var payload = payloadLength == 0
            ? []
            : buffer.Slice(Frame.LengthPrefixSize + Frame.HeaderSize, payloadLength).ToArray();
        frame = new Frame(kind, correlationId, payload);
        buffer = buffer.Slice(Frame.LengthPrefixSize + length);
        return true;
    }

    private int ReadAndCheckLength(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[Frame.LengthPrefixSize];
        buffer.Slice(0, Frame.LengthPrefixSize).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < Frame.HeaderSize)
        {
            throw new TransportProtocolException(
                $"Frame length {length} is below the minimum of {Frame.HeaderSize} (negative or truncated header).");
        }

        if (length > MaxFrameSize)
        {
            throw new TransportProtocolException($"Frame length {length} exceeds the maximum of {MaxFrameSize} bytes.");
        }

        return length;
    }
}

/// <summary>Serializes frames (see <see cref="Frame"/> for the layout).</summary>
public static class FrameWriter
{
    /// <summary>Writes one frame to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, FrameKind kind, long correlationId, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(Frame.LengthPrefixSize + Frame.HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(span, Frame.HeaderSize + payload.Length);
        span[Frame.LengthPrefixSize] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[(Frame.LengthPrefixSize + 1)..], correlationId);
        writer.Advance(Frame.LengthPrefixSize + Frame.HeaderSize);

        // Large payloads may not fit one span of the writer; copy in chunks.
        while (!payload.IsEmpty)
        {
            var target = writer.GetSpan(1);
            var n = Math.Min(target.Length, payload.Length);
            payload[..n].CopyTo(target);
            writer.Advance(n);
            payload = payload[n..];
        }
    }

    /// <summary>Writes one frame to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, in Frame frame) =>
        Write(writer, frame.Kind, frame.CorrelationId, frame.Payload.Span);

    /// <summary>Serializes one frame to a new array (tests, diagnostics).</summary>
    public static byte[] ToArray(in Frame frame)
    {
        var buffer = new ArrayBufferWriter<byte>(frame.WireSize);
        Write(buffer, frame);
        return buffer.WrittenSpan.ToArray();
    }
}
