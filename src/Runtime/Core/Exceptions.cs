namespace WellWon.Runtime;

/// <summary>A call would close a cycle of non-reentrant grains waiting on each other (A -> B -> A).</summary>
public sealed class DeadlockException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeadlockException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeadlockException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The grain could not be activated (its constructor, state load or OnActivateAsync failed).</summary>
public sealed class GrainActivationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainActivationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrainActivationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An observer reference points at an object that was deleted or whose process is gone.</summary>
public sealed class ObserverNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ObserverNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ObserverNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
