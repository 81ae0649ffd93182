using System.Buffers;
using System.Buffers.Binary;

namespace WellWon.Runtime.Transport.Tests;

public sealed class FrameParserTests
{
    private static readonly Frame First = new(FrameKind.Request, 42, new byte[] { 1, 2, 3, 4, 5 });
    private static readonly Frame Second = new(FrameKind.Response, long.MinValue, new byte[] { 9 });
    private static readonly Frame Empty = new(FrameKind.Ping, -1, ReadOnlyMemory<byte>.Empty);

    [Fact]
    public void A_single_frame_is_read_with_its_kind_correlation_id_and_payload()
    {
        var buffer = new ReadOnlySequence<byte>(FrameWriter.ToArray(First));

        Assert.True(new FrameParser().TryRead(ref buffer, out var frame));

        AssertSame(First, frame);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void The_wire_layout_is_a_little_endian_length_then_kind_then_correlation_id_then_payload()
    {
        var bytes = FrameWriter.ToArray(First);

        Assert.Equal(9 + 5, BinaryPrimitives.ReadInt32LittleEndian(bytes));
        Assert.Equal((byte)FrameKind.Request, bytes[4]);
        Assert.Equal(42, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(5)));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, bytes[13..]);
    }

    [Fact]
    public void Several_frames_in_one_buffer_are_read_in_order()
    {
        var buffer = new ReadOnlySequence<byte>([.. FrameWriter.ToArray(First), .. FrameWriter.ToArray(Empty), .. FrameWriter.ToArray(Second)]);
        var parser = new FrameParser();

        Assert.True(parser.TryRead(ref buffer, out var a));
        Assert.True(parser.TryRead(ref buffer, out var b));
        Assert.True(parser.TryRead(ref buffer, out var c));
        Assert.False(parser.TryRead(ref buffer, out _));

        AssertSame(First, a);
        AssertSame(Empty, b);
        AssertSame(Second, c);
    }

    [Fact]
    public void A_frame_split_across_two_segments_at_every_byte_boundary_is_read_whole()
    {
        byte[] bytes = [.. FrameWriter.ToArray(First), .. FrameWriter.ToArray(Second)];
        for (var split = 1; split < bytes.Length; split++)
        {
            var buffer = Segments(bytes[..split], bytes[split..]);
            var parser = new FrameParser();

            Assert.True(parser.TryRead(ref buffer, out var a), $"split at {split}");
            Assert.True(parser.TryRead(ref buffer, out var b), $"split at {split}");

            AssertSame(First, a);
            AssertSame(Second, b);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void A_frame_in_one_byte_segments_is_read_whole()
    {
        var bytes = FrameWriter.ToArray(First);
        var buffer = Segments([.. bytes.Select(b => new[] { b })]);

        Assert.True(new FrameParser().TryRead(ref buffer, out var frame));

        AssertSame(First, frame);
    }

    [Fact]
    public void A_partial_frame_is_not_read_and_the_buffer_is_left_unconsumed()
    {
        var bytes = FrameWriter.ToArray(First);
        var parser = new FrameParser();
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes[..length]);

            Assert.False(parser.TryRead(ref buffer, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(8)]
    public void A_negative_or_too_small_length_is_a_protocol_error(int length)
    {
        var bytes = new byte[32];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<TransportProtocolException>(() => new FrameParser().TryRead(ref buffer, out _));
    }

    [Fact]
    public void A_length_above_the_maximum_is_rejected_as_soon_as_the_prefix_arrives()
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, 1025);
        var buffer = new ReadOnlySequence<byte>(prefix);

        var error = Assert.Throws<TransportProtocolException>(() => new FrameParser(maxFrameSize: 1024).TryRead(ref buffer, out _));

        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frame_of_exactly_the_maximum_size_is_accepted()
    {
        var frame = new Frame(FrameKind.OneWay, 7, new byte[1024 - Frame.HeaderSize]);
        var buffer = new ReadOnlySequence<byte>(FrameWriter.ToArray(frame));

        Assert.True(new FrameParser(maxFrameSize: 1024).TryRead(ref buffer, out var read));

        Assert.Equal(1024 - Frame.HeaderSize, read.Payload.Length);
    }

    [Fact]
    public void The_default_maximum_frame_size_is_16_MiB()
    {
        Assert.Equal(16 * 1024 * 1024, new FrameParser().MaxFrameSize);
    }

    [Fact]
    public void Unknown_frame_kinds_are_read_like_any_other()
    {
        var unknown = new Frame((FrameKind)200, 5, new byte[] { 1 });
        var buffer = new ReadOnlySequence<byte>(FrameWriter.ToArray(unknown));

        Assert.True(new FrameParser().TryRead(ref buffer, out var frame));

        Assert.Equal((FrameKind)200, frame.Kind);
    }

    [Fact]
    public void The_payload_of_a_read_frame_is_a_copy_that_outlives_the_receive_buffer()
    {
        var bytes = FrameWriter.ToArray(First);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(new FrameParser().TryRead(ref buffer, out var frame));

        Array.Clear(bytes);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, frame.Payload.ToArray());
    }

    private static void AssertSame(Frame expected, Frame actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.CorrelationId, actual.CorrelationId);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
    }

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
