namespace WellWon.Storage.Postgres;

/// <summary>Where the PostgreSQL membership table lives (configuration section <c>WellWon:Postgres:Membership</c>).</summary>
public sealed class PostgresMembershipOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WellWon:Postgres:Membership";

    /// <summary>Npgsql connection string of the database holding <c>cluster_members</c>. Required; keep secrets out of source (environment or secret store).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The cluster whose rows to use; null or empty means the silo's <c>SiloOptions.ClusterId</c>.</summary>
    public string? ClusterId { get; set; }

    /// <summary>Whether a hosted service applies pending migrations to this database before the silo starts (default true).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
