namespace WellWon.Runtime.Transport;

/// <summary>Receives what arrives on connections; one handler may serve many connections.</summary>
/// <remarks>
/// Both methods are called on the connection's read loop: while a handler runs, nothing more is read from
/// that socket. Handlers must therefore not block or await; hand work off (a channel, the scheduler) and
/// return. A handler that throws closes the connection it was called for, with that exception as the reason.
/// </remarks>
public interface IFrameHandler
{
    /// <summary>A frame other than the handshake or a <see cref="FrameKind.Close"/> arrived. Frames of a
    /// connection arrive in the order the peer sent them; the handler owns <see cref="Frame.Payload"/>.</summary>
    void OnFrame(Connection connection, Frame frame);

    /// <summary>
    /// The connection closed; called exactly once per established connection, after its last
    /// <see cref="OnFrame"/>. <paramref name="error"/> is <see langword="null"/> when either end closed it
    /// deliberately (<see cref="Connection.Close"/>, <see cref="Connection.CloseAsync"/> or a
    /// <see cref="FrameKind.Close"/> frame), otherwise why it was lost.
    /// </summary>
    void OnClosed(Connection connection, Exception? error);
}
