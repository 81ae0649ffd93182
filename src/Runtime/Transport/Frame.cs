namespace WellWon.Runtime.Transport;

/// <summary>
/// One message on a connection. Wire layout:
/// <c>[int32 little-endian length of the rest][byte kind][int64 little-endian correlation ID][payload]</c>,
/// so the length is <see cref="HeaderSize"/> plus the payload length.
/// </summary>
/// <remarks>
/// Ownership: a frame produced by <see cref="FrameParser"/> owns an exact-size array copied out of the receive
/// buffer, so the receiver may keep <see cref="Payload"/> for as long as it likes (no pool to return it to).
/// A frame given to <see cref="Connection.SendAsync(Frame, CancellationToken)"/> is referenced, not copied,
/// until it has been written to the socket: the sender must not reuse or mutate the payload's memory after
/// handing it over.
/// </remarks>
/// <param name="Kind">What the frame is; see <see cref="FrameKind"/>.</param>
/// <param name="CorrelationId">Matches a response to its request; 0 where unused.</param>
/// <param name="Payload">Opaque bytes for the layer above.</param>
public readonly record struct Frame(FrameKind Kind, long CorrelationId, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Size of the length prefix.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>Bytes counted by the length prefix before the payload: kind (1) and correlation ID (8).</summary>
    public const int HeaderSize = 1 + 8;

    /// <summary>Total bytes of this frame on the wire, length prefix included.</summary>
    public int WireSize => LengthPrefixSize + HeaderSize + Payload.Length;
}
