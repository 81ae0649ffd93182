namespace WellWon.Storage.Postgres;

/// <summary>An applied migration's file was changed afterwards; the database and the code disagree about its schema.</summary>
public sealed class MigrationChecksumException : InvalidOperationException
{
    /// <summary>Creates the exception naming the migration and both checksums.</summary>
    public MigrationChecksumException(int version, string name, string appliedChecksum, string currentChecksum)
        : base($"Migration {version:D4}_{name} was applied with checksum {appliedChecksum} but the file now has " +
               $"checksum {currentChecksum}. Applied migrations must not be edited: restore the file and add a new migration instead.")
    {
        Version = version;
        AppliedChecksum = appliedChecksum;
        CurrentChecksum = currentChecksum;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public MigrationChecksumException(string message)
        : base(message)
    {
        AppliedChecksum = CurrentChecksum = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public MigrationChecksumException(string message, Exception innerException)
        : base(message, innerException)
    {
        AppliedChecksum = CurrentChecksum = "";
    }

    /// <summary>Creates the exception with no message.</summary>
    public MigrationChecksumException()
    {
        AppliedChecksum = CurrentChecksum = "";
    }

    /// <summary>The migration whose file changed.</summary>
    public int Version { get; }

    /// <summary>The checksum recorded in <c>schema_migrations</c>.</summary>
    public string AppliedChecksum { get; }

    /// <summary>The checksum of the file as it is now.</summary>
    public string CurrentChecksum { get; }
}
