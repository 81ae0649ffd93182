using System.Net;

namespace WellWon.Runtime.Transport;

/// <summary>
/// The peer broke the wire protocol (bad length prefix, oversized frame, garbage instead of a handshake).
/// The connection it happened on is closed; nothing else is affected.
/// </summary>
public sealed class TransportProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransportProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TransportProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The acceptor refused the handshake (other cluster, unsupported protocol version, bad magic).</summary>
public sealed class ConnectionRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectionRejectedException(string reason)
        : base($"The connection was rejected by the remote end: {reason}")
    {
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public ConnectionRejectedException(string reason, Exception innerException)
        : base($"The connection was rejected by the remote end: {reason}", innerException)
    {
        Reason = reason;
    }

    /// <summary>The rejection reason sent by the acceptor.</summary>
    public string Reason { get; }
}

/// <summary>
/// The connection is closed (or closed while the operation waited). Frames a <c>SendAsync</c> had already
/// accepted may or may not have reached the peer; the layer above relies on its own deadlines for those.
/// </summary>
public sealed class ConnectionClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A connection to <see cref="EndPoint"/> failed recently and the pool is waiting out its reconnect backoff;
/// the request fails fast instead of hammering the endpoint. <see cref="Exception.InnerException"/> is the
/// last connect error.
/// </summary>
public sealed class EndpointUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EndpointUnavailableException(IPEndPoint endPoint, DateTimeOffset retryAt, Exception lastError)
        : base($"{endPoint} is unavailable until {retryAt:O} (last error: {lastError.Message})", lastError)
    {
        EndPoint = endPoint;
        RetryAt = retryAt;
    }

    /// <summary>The endpoint that failed.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>When the pool will try to connect again.</summary>
    public DateTimeOffset RetryAt { get; }
}
