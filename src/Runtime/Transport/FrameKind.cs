namespace WellWon.Runtime.Transport;

/// <summary>
/// The kind byte of a <see cref="Frame"/>. The values are owned by the runtime layer above the transport; the
/// transport itself only interprets <see cref="Handshake"/>, <see cref="HandshakeAck"/> and <see cref="Close"/>.
/// Values not listed here are legal on the wire and are passed up unchanged, so a newer peer can add kinds
/// without breaking an older one during a rolling upgrade.
/// </summary>
public enum FrameKind : byte
{
    /// <summary>The first frame a connector sends (see <see cref="HandshakeCodec"/>).</summary>
    Handshake = 1,

    /// <summary>The acceptor's answer to <see cref="Handshake"/>: accepted, or rejected with a reason.</summary>
    HandshakeAck = 2,

    /// <summary>A request expecting a <see cref="Response"/> with the same correlation ID.</summary>
    Request = 3,

    /// <summary>The answer to a <see cref="Request"/>; carries the request's correlation ID.</summary>
    Response = 4,

    /// <summary>A message with no answer.</summary>
    OneWay = 5,

    /// <summary>Liveness probe; the layer above answers with <see cref="Pong"/>.</summary>
    Ping = 6,

    /// <summary>Answer to <see cref="Ping"/>.</summary>
    Pong = 7,

    /// <summary>Membership gossip.</summary>
    Gossip = 8,

    /// <summary>The sender is closing the connection gracefully; nothing follows it.</summary>
    Close = 9,

    /// <summary>Asks the receiver to probe a third silo and answer with <see cref="IndirectProbeReply"/>.</summary>
    IndirectProbe = 10,

    /// <summary>The outcome of an <see cref="IndirectProbe"/> (one byte: 1 answered, 0 not).</summary>
    IndirectProbeReply = 11,
}
