using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace WellWon.Runtime.Transport;

/// <summary>
/// The byte stream under a <see cref="Connection"/>: a duplex pipe plus a way to tear it down. A TCP socket in
/// production (<see cref="SocketTransport"/>); tests may supply in-memory pipes.
/// </summary>
public interface IConnectionTransport : IDuplexPipe, IDisposable
{
    /// <summary>The remote endpoint, if known.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>The local endpoint, if known.</summary>
    EndPoint? LocalEndPoint { get; }
}

/// <summary>An <see cref="IConnectionTransport"/> over a connected TCP socket (pipes over a <see cref="NetworkStream"/>).</summary>
public sealed class SocketTransport : IConnectionTransport
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _disposed;

    /// <summary>Takes ownership of a connected socket.</summary>
    public SocketTransport(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output { get; }

    /// <inheritdoc/>
    public EndPoint? RemoteEndPoint { get; }

    /// <inheritdoc/>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Closes the socket; pending reads and writes fail.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Shutdown first so bytes already handed to the kernel (a rejection ack) are sent before the close.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to deliver.
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
    }
}
