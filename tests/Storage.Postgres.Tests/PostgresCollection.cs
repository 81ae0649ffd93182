using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

/// <summary>One private PostgreSQL server for every test class in the collection; each test makes its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";

    /// <summary>A database name unique to this test run, so tests never see each other's tables.</summary>
    public static string UniqueDatabase(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
}
