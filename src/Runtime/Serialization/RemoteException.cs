namespace WellWon.Runtime;

/// <summary>
/// Stands in for an exception thrown by a remote grain whose type cannot be recreated here (unknown type, not an
/// <see cref="Exception"/>, or no usable constructor). Carries the original type name, message and stack trace.
/// </summary>
public sealed class RemoteException : Exception
{
    /// <summary>Creates an exception for a remote failure of unknown type.</summary>
    public RemoteException()
        : this(typeof(Exception).FullName!, "A remote call failed.", null, null)
    {
    }

    /// <summary>Creates an exception for a remote failure of unknown type.</summary>
    public RemoteException(string message)
        : this(typeof(Exception).FullName!, message, null, null)
    {
    }

    /// <summary>Creates an exception for a remote failure of unknown type.</summary>
    public RemoteException(string message, Exception? innerException)
        : this(typeof(Exception).FullName!, message, null, innerException)
    {
    }

    /// <summary>Creates the stand-in for a remote exception of type <paramref name="originalTypeName"/>.</summary>
    public RemoteException(string originalTypeName, string message, string? remoteStackTrace, Exception? innerException)
        : base(message, innerException)
    {
        OriginalTypeName = originalTypeName;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The assembly-qualified name of the exception type thrown remotely.</summary>
    public string OriginalTypeName { get; }

    /// <summary>The stack trace captured where the exception was thrown, if it was sent.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{OriginalTypeName} (remote): {base.ToString()}";
}
